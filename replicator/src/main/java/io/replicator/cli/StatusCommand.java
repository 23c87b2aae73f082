package io.replicator.cli;

import io.replicator.capture.CaptureStatus;
import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.snapshot.load.SnapshotState;
import io.replicator.snapshot.source.SqliteSource;
import io.replicator.stream.FeedOffsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code replicator status}: where replication stands, from stored state alone (works whether or not a
 * feed is running): captured position and changelog size in SQLite, the feed's published position in the
 * state directory, and the snapshot hand-off in PostgreSQL when {@code --postgres} is given.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the captured position, the published position, the changelog size and the snapshot hand-off.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--sqlite", required = true, paramLabel = "PATH", description = "The SQLite database file.")
    String sqlite;

    @Option(names = "--state-dir", defaultValue = "data", paramLabel = "DIR", description = "The feed's state directory (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--postgres", paramLabel = "URL", description = "Also show the snapshot state in PostgreSQL (default: $DATABASE_URL if set).")
    String postgres;

    @Option(names = "--schema", defaultValue = "public", paramLabel = "NAME", description = "Target PostgreSQL schema (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--json", description = "Print a machine-readable JSON report on stdout.")
    boolean json;

    @Override
    public Integer call() {
        SqliteSource source = SqliteSource.of(sqlite);
        CaptureStatus cap = CaptureStatus.read(source);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sqlite", source.path().toString());
        r.put("capture_installed", cap.installed());
        r.put("captured_tables", cap.tables());
        r.put("captured_seq", cap.capturedSeq());
        r.put("changelog_rows", cap.changelogRows());
        r.put("changelog_oldest_seq", cap.oldestSeq());
        OptionalLong published = FeedOffsets.committed(stateDir.resolve("feed-offsets.dat"), cap.captureId());
        Long handOff = null;
        String url = postgres != null ? postgres : System.getenv("DATABASE_URL");
        if (url != null && !url.isBlank()) {
            PostgresUrl target = PostgresUrl.parse(url);
            try (Connection c = target.connect("replicator-status")) {
                SnapshotState.ensure(c);
                SnapshotState.Run run = SnapshotState.existingRun(c, schema);
                r.put("snapshot_status", run == null ? "none" : run.status());
                handOff = run == null ? null : run.changelogSeq();
                r.put("snapshot_changelog_seq", handOff);
                r.put("snapshot_tables_done", SnapshotState.doneTables(c, schema).size());
                r.put("snapshot_rows", SnapshotState.rowsCopied(c, schema));
                io.replicator.sink.SinkState.ensure(c);
                io.replicator.sink.SinkState sink = io.replicator.sink.SinkState.read(c, schema);
                if (sink != null) {
                    r.put("applied_seq", sink.seq());
                    r.put("apply_lag_changes", Math.max(0, cap.capturedSeq() - sink.seq()));
                    r.put("last_batch_read_from_sqlite_ms", sink.sourceTsMs());
                    r.put("last_batch_applied_ms", sink.appliedAtMs());
                    r.put("last_batch_latency_ms", sink.sourceTsMs() == 0 ? null : sink.appliedAtMs() - sink.sourceTsMs());
                    r.put("apply_lag_ms", sink.seq() >= cap.capturedSeq() ? 0 : sink.sourceTsMs() == 0 ? null : Math.max(0, System.currentTimeMillis() - sink.sourceTsMs()));
                    r.put("dead_lettered", sink.deadLettered());
                    r.put("dead_letter_topic", sink.topic() + ".dlq");
                }
                String phase = run == null ? "not started" : !run.status().equals("done") ? "snapshot (" + run.status() + ")"
                        : sink == null ? "snapshot done, not applying yet"
                        : cap.capturedSeq() - sink.seq() > 1000 ? "catching up" : "streaming";
                r.put("phase", phase);
            } catch (java.sql.SQLException e) {
                throw io.replicator.core.ReplicatorException.runtime("cannot read snapshot state in " + target.redacted() + ": " + e.getMessage(), e);
            }
        }
        Long pub = published.isPresent() ? Long.valueOf(published.getAsLong()) : handOff;
        r.put("published_seq", pub);
        r.put("lag_events", pub == null ? null : Math.max(0, cap.capturedSeq() - pub));
        if (json) {
            Json.print(r);
        } else if (!cap.installed()) {
            System.out.println("capture is not installed in " + source.path() + " (bin/replicator install --sqlite " + source.path() + ")");
        } else {
            System.out.printf("sqlite              %s%n", source.path());
            System.out.printf("captured tables     %d%n", cap.tables());
            System.out.printf("captured position   %d%n", cap.capturedSeq());
            System.out.printf("published position  %s%s%n", pub == null ? "none (the feed has not run)" : pub,
                    published.isPresent() || pub == null ? "" : " (snapshot hand-off; the feed has not committed a position yet)");
            if (pub != null) System.out.printf("lag                 %d change(s) not yet in Kafka%n", Math.max(0, cap.capturedSeq() - pub));
            System.out.printf("changelog           %d row(s), seq %d..%d%n", cap.changelogRows(), cap.oldestSeq(), cap.capturedSeq());
            if (r.containsKey("snapshot_status")) {
                System.out.printf("phase               %s%n", r.get("phase"));
                System.out.printf("snapshot            %s, %s table(s) copied (hand-off at seq %s)%n", r.get("snapshot_status"), r.get("snapshot_tables_done"), handOff);
                @SuppressWarnings("unchecked")
                Map<String, Long> rows = (Map<String, Long>) r.get("snapshot_rows");
                for (Map.Entry<String, Long> t : rows.entrySet()) System.out.printf("  %-40s %12d rows copied%n", t.getKey(), t.getValue());
            }
            if (r.containsKey("applied_seq")) {
                System.out.printf("applied position    %s (PostgreSQL reflects every change up to here)%n", r.get("applied_seq"));
                System.out.printf("apply lag           %s change(s), %s ms; the last batch was applied %s ms after the feed read it%n", r.get("apply_lag_changes"),
                        r.get("apply_lag_ms") == null ? "-" : r.get("apply_lag_ms"), r.get("last_batch_latency_ms") == null ? "-" : r.get("last_batch_latency_ms"));
                System.out.printf("dead-lettered       %s (topic %s)%n", r.get("dead_lettered"), r.get("dead_letter_topic"));
            }
        }
        return ExitCode.OK.code;
    }
}

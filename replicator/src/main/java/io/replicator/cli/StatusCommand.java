package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.fleet.Store;
import io.replicator.fleet.StoresFile;
import io.replicator.stream.FeedSettings;
import io.replicator.state.SnapshotState;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.status.ConnectOffsets;
import io.replicator.status.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code replicator status}: where replication stands, from stored state alone (works whether or not a
 * feed is running): captured position and changelog size in SQLite, the feed's published position in the
 * state directory (or, with {@code --connect-url}, from the Kafka Connect worker that runs the source connector),
 * and the snapshot hand-off in PostgreSQL when {@code --postgres} is given.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the captured position, the published position, the changelog size and the snapshot hand-off.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--sqlite", paramLabel = "PATH", description = "The SQLite database file; default: $SQLITE_PATH or replicator.sqlite in application.yml.")
    String sqlite;

    @Option(names = "--state-dir", defaultValue = "data", paramLabel = "DIR", description = "The feed's state directory (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--postgres", paramLabel = "URL", description = "Also show the snapshot state in PostgreSQL (default: $DATABASE_URL if set).")
    String postgres;

    @Option(names = "--postgres-password-file", paramLabel = "FILE", description = "A file holding the PostgreSQL password, for a URL without one.")
    Path postgresPasswordFile;

    @Option(names = "--schema", defaultValue = "public", paramLabel = "NAME", description = "Target PostgreSQL schema (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--json", description = "Print a machine-readable JSON report on stdout.")
    boolean json;

    @Option(names = "--stores", paramLabel = "FILE", description = "A fleet's stores file; with --store NAME, the status of that store.")
    Path stores;

    @Option(names = "--store", paramLabel = "NAME", description = "The store of --stores to show.")
    String store;

    @Option(names = "--connect-url", paramLabel = "URL",
            description = "The feed runs as the source connector on Kafka Connect: read its published position from this worker's REST API"
                    + " (e.g. http://connect:8083) instead of --state-dir; with --connector.")
    String connectUrl;

    @Option(names = "--connector", paramLabel = "NAME", description = "The source connector's name on Kafka Connect (with --connect-url).")
    String connector;

    @Override
    public Integer call() {
        Path feedDir = stateDir;
        if (store != null || stores != null) {
            if (store == null || stores == null) throw ReplicatorException.config("status of a fleet's store needs both --stores FILE and --store NAME");
            Store s = StoresFile.find(StoresFile.read(stores), store);
            sqlite = s.sqlite().toString();
            schema = s.schema();
            feedDir = FeedSettings.storeDir(stateDir, s.name());
        }
        SqliteSource source = SqliteSource.of(sqlite);
        String url = postgres != null ? postgres : System.getenv("DATABASE_URL");
        PostgresUrl target = url == null || url.isBlank() ? null : PasswordFile.apply(PostgresUrl.parse(url), postgresPasswordFile);
        if ((connectUrl == null) != (connector == null)) throw ReplicatorException.config("--connect-url and --connector go together");
        Path offsetsDir = feedDir;
        Map<String, Object> r = connectUrl == null ? StatusReport.build(source, offsetsDir, target, schema)
                : StatusReport.build(source, () -> ConnectOffsets.byCapture(connectUrl, connector), target, schema);
        r.put("published_from", connectUrl == null ? "state-dir" : "connect");
        Long handOff = (Long) r.get("snapshot_changelog_seq");
        boolean publishedStored = Boolean.TRUE.equals(r.get("published_stored"));
        Object pub = r.get("published_seq");
        if (json) {
            Json.print(r);
        } else if (!Boolean.TRUE.equals(r.get("capture_installed"))) {
            System.out.println("capture is not installed in " + source.path() + " (bin/replicator install --sqlite " + source.path() + ")");
        } else {
            System.out.printf("sqlite              %s%n", source.path());
            System.out.printf("captured tables     %s%n", r.get("captured_tables"));
            System.out.printf("captured position   %s%n", r.get("captured_seq"));
            System.out.printf("published position  %s%s%s%n", pub == null ? "none (the feed has not run)" : pub,
                    connectUrl == null ? "" : " (Kafka Connect, connector " + connector + ")",
                    publishedStored || pub == null ? "" : " (snapshot hand-off; the feed has not committed a position yet)");
            if (pub != null) System.out.printf("lag                 %s change(s) not yet in Kafka%n", r.get("lag_events"));
            System.out.printf("changelog           %s row(s), seq %s..%s%n", r.get("changelog_rows"), r.get("changelog_oldest_seq"), r.get("captured_seq"));
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
            printForeignKeys(r);
            if (r.get("cutover") != null) {
                System.out.printf("cutover             %s%s%n", r.get("cutover"), r.get("cutover_reason") == null ? "" : ": " + r.get("cutover_reason"));
            }
        }
        return ExitCode.OK.code;
    }

    /** Rows that break foreign keys (as the last check counted them) and keys held aside while replicating. */
    @SuppressWarnings("unchecked")
    private static void printForeignKeys(Map<String, Object> r) {
        Object held = r.get("foreign_keys_held_aside");
        if (held instanceof Number n && n.intValue() > 0) {
            System.out.printf("foreign keys        %s held aside while replicating (the role may not set session_replication_role);"
                    + " the cutover puts them back%n", n);
        }
        if (!(r.get("orphans") instanceof Map<?, ?> o)) return;
        System.out.printf("orphan rows         %s at changelog seq %s (rows that break a foreign key in SQLite; the cutover refuses"
                + " unless --allow-orphans)%n", o.get("rows"), o.get("at_seq"));
        for (Map<String, Object> c : (List<Map<String, Object>>) o.get("constraints")) {
            System.out.printf("  %-40s %s row(s) on %s, e.g. %s%n", c.get("constraint"), c.get("rows"), c.get("table"), c.get("sample_keys"));
        }
    }
}

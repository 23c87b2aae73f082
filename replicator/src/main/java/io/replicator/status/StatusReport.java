package io.replicator.status;

import io.replicator.capture.CaptureStatus;
import io.replicator.core.PostgresUrl;
import io.replicator.snapshot.load.SnapshotState;
import io.replicator.snapshot.source.SqliteSource;
import io.replicator.stream.FeedOffsets;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Where replication stands, from stored state alone (so it is the same whether or not an instance runs):
 * the SQLite changelog, the feed's committed offset under the state directory, and the snapshot, sink and
 * cutover rows in PostgreSQL. Served by {@code status --json} and the control plane's {@code /status}.
 * No secret is in it: the PostgreSQL URL appears only redacted.
 */
public final class StatusReport {
    private StatusReport() {}

    /** @param target null to leave PostgreSQL out */
    public static Map<String, Object> build(SqliteSource source, CaptureStatus cap, Path stateDir, PostgresUrl target, String schema) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sqlite", source.path().toString());
        if (target != null) r.put("postgres", target.redacted());
        r.put("schema", schema);
        r.put("capture_installed", cap.installed());
        r.put("captured_tables", cap.tables());
        r.put("captured_seq", cap.capturedSeq());
        r.put("changelog_rows", cap.changelogRows());
        r.put("changelog_oldest_seq", cap.oldestSeq());
        OptionalLong published = FeedOffsets.committed(stateDir.resolve("feed-offsets.dat"), cap.captureId());
        Long handOff = null;
        if (target != null) {
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
                try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT status, final_seq, write_pause_ms, reason FROM replicator.cutover WHERE target_schema = ?")) {
                    ps.setString(1, schema);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            r.put("cutover", rs.getString(1));
                            r.put("cutover_final_seq", rs.getLong(2));
                            r.put("cutover_write_pause_ms", rs.getLong(3));
                            r.put("cutover_reason", rs.getString(4));
                            if (rs.getString(1).equals("done")) r.put("phase", "cutover done");
                        }
                    }
                } catch (java.sql.SQLException noTable) {
                    // no cutover tried yet: no table
                }
            } catch (java.sql.SQLException e) {
                throw io.replicator.core.PostgresErrors.wrap("cannot read snapshot state in " + target.redacted(), e, target);
            }
        }
        Long pub = published.isPresent() ? Long.valueOf(published.getAsLong()) : handOff;
        r.put("published_seq", pub);
        r.put("published_stored", published.isPresent());
        r.put("lag_events", pub == null ? null : Math.max(0, cap.capturedSeq() - pub));
        return r;
    }
}

package io.replicator.status;

import io.replicator.state.Phase;
import io.replicator.capture.CaptureStatus;
import io.replicator.core.PostgresUrl;
import io.replicator.state.SnapshotState;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.FeedOffsets;

import io.replicator.core.PostgresErrors;
import io.replicator.state.CutoverState;
import io.replicator.sink.HeldAside;
import io.replicator.sink.Orphans;
import io.replicator.state.SinkState;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        return build(source, cap, FeedOffsets.committed(stateDir.resolve("feed-offsets.dat"), cap.captureId()), target, schema);
    }

    /**
     * As above, with the feed's committed position given: read from wherever the feed runs (the state directory of
     * {@code run}/{@code stream}, or a Kafka Connect cluster, {@link ConnectOffsets}); empty when it has committed none.
     */
    public static Map<String, Object> build(SqliteSource source, CaptureStatus cap, OptionalLong published, PostgresUrl target, String schema) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sqlite", source.path().toString());
        if (target != null) r.put("postgres", target.redacted());
        r.put("schema", schema);
        r.put("capture_installed", cap.installed());
        r.put("captured_tables", cap.tables());
        r.put("captured_seq", cap.capturedSeq());
        r.put("changelog_rows", cap.changelogRows());
        r.put("changelog_oldest_seq", cap.oldestSeq());
        Long handOff = null;
        if (target != null) {
            try (Connection c = target.connect("replicator-status")) {
                SnapshotState.ensure(c);
                SinkState.ensure(c);
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // every stored row from one moment
                handOff = stored(c, r, cap, schema);
                c.commit();
            } catch (SQLException e) {
                throw PostgresErrors.wrap("cannot read the replication state in " + target.redacted(), e, target);
            }
        }
        Long pub = published.isPresent() ? Long.valueOf(published.getAsLong()) : handOff;
        r.put("published_seq", pub);
        r.put("published_stored", published.isPresent());
        r.put("lag_events", pub == null ? null : Math.max(0, cap.capturedSeq() - pub));
        return r;
    }

    /** The rows PostgreSQL keeps (snapshot, sink, orphans, cutover) into {@code r}; returns the snapshot's hand-off position. */
    private static Long stored(Connection c, Map<String, Object> r, CaptureStatus cap, String schema) throws SQLException {
        SnapshotState.Run run = SnapshotState.existingRun(c, schema);
        r.put("snapshot_status", run == null ? "none" : run.status().stored);
        Long handOff = run == null ? null : run.changelogSeq();
        r.put("snapshot_changelog_seq", handOff);
        r.put("snapshot_tables_done", SnapshotState.doneTables(c, schema).size());
        r.put("snapshot_rows", SnapshotState.rowsCopied(c, schema));
        SinkState sink = SinkState.read(c, schema);
        if (sink != null) {
            r.put("applied_seq", sink.seq());
            r.put("apply_lag_changes", Math.max(0, cap.capturedSeq() - sink.seq()));
            r.put("last_batch_read_from_sqlite_ms", sink.sourceTsMs());
            r.put("last_batch_applied_ms", sink.appliedAtMs());
            r.put("last_batch_latency_ms", sink.sourceTsMs() == 0 ? null : sink.appliedAtMs() - sink.sourceTsMs());
            r.put("apply_lag_ms", applyLagMs(sink, cap.capturedSeq()));
            r.put("dead_lettered", sink.deadLettered());
            r.put("dead_letter_topic", sink.topic() + ".dlq");
        }
        CutoverState.Row cut = CutoverState.read(c, schema);
        r.put("phase", Phase.of(run, sink, cut, cap.capturedSeq()).label);
        r.put("foreign_keys_held_aside", HeldAside.foreignKeys(c, schema).size());
        Orphans.Report orphans = Orphans.stored(c, schema);
        if (orphans != null) r.put("orphans", orphansJson(orphans));
        if (cut != null) {
            r.put("cutover", cut.status().stored);
            r.put("cutover_final_seq", cut.finalSeq());
            r.put("cutover_write_pause_ms", cut.writePauseMs());
            r.put("cutover_reason", cut.reason());
        }
        return handOff;
    }

    /**
     * Milliseconds since the feed read the oldest change PostgreSQL does not have yet: 0 when it has everything;
     * null when that time is unknown (nothing applied since the snapshot, so no batch time is stored).
     */
    static Long applyLagMs(SinkState sink, long capturedSeq) {
        if (sink.seq() >= capturedSeq) return 0L;
        if (sink.sourceTsMs() == 0) return null;
        return Math.max(0, System.currentTimeMillis() - sink.sourceTsMs());
    }

    private static Map<String, Object> orphansJson(Orphans.Report o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", o.total());
        m.put("at_seq", o.atSeq());
        m.put("checked_at_ms", o.checkedAtMs());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Orphans.Broken b : o.broken()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("constraint", b.constraint());
            x.put("table", b.table());
            x.put("rows", b.rows());
            x.put("sample_keys", b.sampleKeys());
            list.add(x);
        }
        m.put("constraints", list);
        return m;
    }
}

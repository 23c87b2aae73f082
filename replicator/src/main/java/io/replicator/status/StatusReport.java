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
import java.util.function.Supplier;

/**
 * Where replication stands, from stored state alone (so it is the same whether or not an instance runs):
 * the SQLite changelog, the feed's committed offset under the state directory, and the snapshot, sink and
 * cutover rows in PostgreSQL. Served by {@code status --json} and the control plane's {@code /status}.
 * No secret is in it: the PostgreSQL URL appears only redacted.
 *
 * <p>Its positions are one {@link Positions} reading: PostgreSQL's rows (applied) are read first, then the feed's
 * offset file (published), then the changelog (captured), so the report never shows more applied than captured.
 */
public final class StatusReport {
    private StatusReport() {}

    /** The rows PostgreSQL keeps for one schema, read in one transaction. */
    private record Stored(SnapshotState.Run run, SinkState sink, CutoverState.Row cutover, int tablesDone, Map<String, Long> rows,
                          int heldAside, Orphans.Report orphans) {}

    /** @param target null to leave PostgreSQL out */
    public static Map<String, Object> build(SqliteSource source, Path stateDir, PostgresUrl target, String schema) {
        return build(source, () -> FeedOffsets.committedByCapture(stateDir.resolve("feed-offsets.dat")), target, schema);
    }

    /**
     * As above, with the feed's committed positions (capture id → seq) read from wherever the feed runs: the state
     * directory of {@code run}/{@code stream}, or a Kafka Connect cluster ({@link ConnectOffsets}).
     */
    public static Map<String, Object> build(SqliteSource source, Supplier<Map<String, Long>> publishedByCapture, PostgresUrl target, String schema) {
        Stored st = null;
        if (target != null) {
            try (Connection c = target.connect("replicator-status")) {
                SnapshotState.ensure(c);
                SinkState.ensure(c);
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // every stored row from one moment
                st = stored(c, schema);
                c.commit();
            } catch (SQLException e) {
                throw PostgresErrors.wrap("cannot read the replication state in " + target.redacted(), e, target);
            }
        }
        // after PostgreSQL (applied), before the changelog (captured): see Positions
        Map<String, Long> offsets = publishedByCapture.get();
        CaptureStatus cap = CaptureStatus.read(source);
        Long stored = cap.captureId() == null ? null : offsets.get(cap.captureId());
        OptionalLong published = stored == null ? OptionalLong.empty() : OptionalLong.of(stored);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sqlite", source.path().toString());
        if (target != null) r.put("postgres", target.redacted());
        r.put("schema", schema);
        r.put("capture_installed", cap.installed());
        r.put("captured_tables", cap.tables());
        r.put("captured_seq", cap.capturedSeq());
        r.put("changelog_rows", cap.changelogRows());
        r.put("changelog_oldest_seq", cap.oldestSeq());
        Long handOff = st == null || st.run() == null ? null : st.run().changelogSeq();
        SinkState sink = st == null ? null : st.sink();
        Long pub = published.isPresent() ? Long.valueOf(published.getAsLong()) : handOff;
        Positions p = Positions.of(cap.capturedSeq(), pub == null ? -1 : pub, sink == null ? -1 : sink.seq(),
                sink == null ? 0 : sink.sourceTsMs(), System.currentTimeMillis());
        if (st != null) putStored(r, st, p);
        r.put("published_seq", pub == null && sink == null ? null : p.published());
        r.put("published_stored", published.isPresent());
        r.put("lag_events", p.unpublished());
        r.put("positions_read_at_ms", p.atMs());
        return r;
    }

    private static Stored stored(Connection c, String schema) throws SQLException {
        return new Stored(SnapshotState.existingRun(c, schema), SinkState.read(c, schema), CutoverState.read(c, schema),
                SnapshotState.doneTables(c, schema).size(), SnapshotState.rowsCopied(c, schema), HeldAside.foreignKeys(c, schema).size(),
                Orphans.stored(c, schema));
    }

    /** The rows PostgreSQL keeps (snapshot, sink, orphans, cutover) into {@code r}, with the positions of {@code p}. */
    private static void putStored(Map<String, Object> r, Stored st, Positions p) {
        SnapshotState.Run run = st.run();
        r.put("snapshot_status", run == null ? "none" : run.status().stored);
        r.put("snapshot_changelog_seq", run == null ? null : run.changelogSeq());
        r.put("snapshot_tables_done", st.tablesDone());
        r.put("snapshot_rows", st.rows());
        SinkState sink = st.sink();
        if (sink != null) {
            r.put("applied_seq", sink.seq());
            r.put("apply_lag_changes", p.lagChanges());
            r.put("last_batch_read_from_sqlite_ms", sink.sourceTsMs());
            r.put("last_batch_applied_ms", sink.appliedAtMs());
            r.put("last_batch_latency_ms", sink.sourceTsMs() == 0 ? null : sink.appliedAtMs() - sink.sourceTsMs());
            r.put("apply_lag_ms", applyLagMs(sink, p.captured()));
            r.put("dead_lettered", sink.deadLettered());
            r.put("dead_letter_topic", sink.topic() + ".dlq");
        }
        CutoverState.Row cut = st.cutover();
        r.put("phase", Phase.of(run, sink, cut, p.captured()).label);
        r.put("foreign_keys_held_aside", st.heldAside());
        if (st.orphans() != null) r.put("orphans", orphansJson(st.orphans()));
        if (cut != null) {
            r.put("cutover", cut.status().stored);
            r.put("cutover_final_seq", cut.finalSeq());
            r.put("cutover_write_pause_ms", cut.writePauseMs());
            r.put("cutover_reason", cut.reason());
        }
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

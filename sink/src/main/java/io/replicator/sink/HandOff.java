package io.replicator.sink;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.state.SinkState;
import io.replicator.state.SnapshotState;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the snapshot in PostgreSQL ended in the changelog (its mark in {@code replicator.snapshot_run}), and where a
 * sink that reads a topic fed elsewhere starts from it. Read from PostgreSQL alone, so a sink on another machine than
 * the SQLite file ({@code bin/replicator sink}, the Kafka Connect sink task) finds it as {@code run} does.
 *
 * <p>Invariant: a sink position is only ever set at a finished snapshot's mark taken with capture installed, or
 * reached from there by applying; a schema without such a snapshot is refused (exit 2) with what to run.
 */
public final class HandOff {
    private HandOff() {}

    /**
     * The finished snapshot of {@code schema}; refused when there is none ({@code snapshotHint} says how to take one)
     * or it was taken without capture ({@code captureHint} says how to install it).
     */
    public static SnapshotState.Run finishedSnapshot(PostgresUrl target, String schema, String snapshotHint, String captureHint) {
        try (Connection c = target.connect("replicator-hand-off")) {
            SnapshotState.ensure(c);
            SnapshotState.Run run = SnapshotState.existingRun(c, schema);
            if (run == null || !run.done()) {
                throw ReplicatorException.config("schema " + schema + " in " + target.redacted() + " holds no finished snapshot"
                        + (run == null ? "" : " (its snapshot is " + run.status() + ")") + ": the changes are applied after where a snapshot ended."
                        + " Run: " + snapshotHint);
            }
            if (run.changelogSeq() == null) {
                throw ReplicatorException.config("the snapshot in schema " + schema + " (of " + run.sqlitePath() + ") was taken without change capture"
                        + " installed, so the changes made since are unknown. Run " + captureHint);
            }
            return run;
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the snapshot state in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }

    /** The mark of whatever SQLite file was snapshotted into {@code schema}: for a sink that never sees the file. */
    public static long mark(PostgresUrl target, String schema) {
        return finishedSnapshot(target, schema, "bin/replicator install --sqlite FILE && bin/replicator snapshot --sqlite FILE --schema " + schema
                        + " ... (where the SQLite file is)",
                "bin/replicator install --sqlite FILE where the file is, then snapshot again with --drop").changelogSeq();
    }

    /**
     * Prepares the position of a sink reading {@code topic} fed elsewhere, and returns the snapshot's mark. The first
     * start sets the position at the mark with no offset, so the topic is read from its beginning and every batch at
     * or below the mark is skipped by changelog position (the feed may have published before the sink first ran). A
     * later start keeps the stored position (resume). A stored position behind the mark (a newer snapshot) starts
     * at the mark again, and so does one still at the mark that names another topic. Refused (exit 2) when a position
     * past the mark belongs to another topic: its offsets mean nothing in this one.
     */
    public static long prepare(PostgresUrl target, String schema, String topic) {
        long mark = mark(target, schema);
        try (Connection c = target.connect("replicator-hand-off")) {
            SinkState.ensure(c);
            SinkState st = SinkState.read(c, schema);
            if (st != null && !st.topic().equals(topic) && st.seq() > mark) {
                throw ReplicatorException.config("the sink position of schema " + schema + " (changelog seq " + st.seq() + ", offset " + st.kafkaOffset()
                        + ") belongs to topic " + st.topic() + ", not " + topic + ". Read " + st.topic() + " instead, or, if the feed now publishes to "
                        + topic + ", take a new snapshot (bin/replicator snapshot --drop ...) and start the sink again");
            }
            if (st == null || st.seq() < mark || !st.topic().equals(topic)) SinkState.reset(c, schema, topic, mark, -1);
            return mark;
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot prepare the sink position in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }
}

package io.replicator.state;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the replication of one target schema stands, derived from the stored rows alone (so restart is resume, and
 * {@code run}, {@code status}, the control plane and {@code cutover} agree): no snapshot row → not started; a
 * snapshot not done → its status; no sink position → waiting for the sink; then catching up or streaming by the
 * lag; a cutover record overrides all of it.
 */
public enum Phase {
    NOT_STARTED("not started"),
    SNAPSHOT_RUNNING("snapshot (running)"),
    SNAPSHOT_FAILED("snapshot (failed)"),
    SNAPSHOT_DONE("snapshot done, not applying yet"),
    CATCHING_UP("catching up"),
    STREAMING("streaming"),
    CUT_OVER("cutover done"),
    ROLLING_BACK("rolling back to SQLite"),
    ROLLED_BACK("rolled back to SQLite");

    /** More changes than this waiting to be applied count as catching up rather than streaming. */
    public static final long CATCHING_UP_CHANGES = 1000;

    public final String label;

    Phase(String label) {
        this.label = label;
    }

    /**
     * @param capturedSeq the newest changelog position in SQLite (-1 when unknown: counted as streaming)
     */
    public static Phase of(SnapshotState.Run run, SinkState sink, CutoverState.Row cutover, long capturedSeq) {
        if (cutover != null) {
            switch (cutover.status()) {
                case DONE -> { return CUT_OVER; }
                case ROLLING_BACK -> { return ROLLING_BACK; }
                case ROLLED_BACK -> { return ROLLED_BACK; }
                case ABORTED -> { } // replication goes on
            }
        }
        if (run == null) return NOT_STARTED;
        switch (run.status()) {
            case RUNNING -> { return SNAPSHOT_RUNNING; }
            case FAILED -> { return SNAPSHOT_FAILED; }
            case DONE -> { }
        }
        if (sink == null) return SNAPSHOT_DONE;
        return capturedSeq >= 0 && capturedSeq - sink.seq() > CATCHING_UP_CHANGES ? CATCHING_UP : STREAMING;
    }

    /** The stored rows of one schema, read together. */
    public record Stored(SnapshotState.Run snapshot, SinkState sink, CutoverState.Row cutover) {
        public static Stored read(Connection c, String schema) throws SQLException {
            return new Stored(SnapshotState.existingRun(c, schema), SinkState.read(c, schema), CutoverState.read(c, schema));
        }

        public Phase phase(long capturedSeq) {
            return Phase.of(snapshot, sink, cutover, capturedSeq);
        }
    }

    @Override
    public String toString() {
        return label;
    }
}

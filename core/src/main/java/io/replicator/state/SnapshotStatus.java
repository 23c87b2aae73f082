package io.replicator.state;

/** A snapshot run's status, as stored in {@code replicator.snapshot_run.status}. */
public enum SnapshotStatus {
    RUNNING("running"), DONE("done"), FAILED("failed");

    public final String stored;

    SnapshotStatus(String stored) {
        this.stored = stored;
    }

    public static SnapshotStatus of(String stored) {
        for (SnapshotStatus s : values()) if (s.stored.equals(stored)) return s;
        throw new IllegalArgumentException("unknown snapshot status '" + stored + "' in replicator.snapshot_run");
    }

    @Override
    public String toString() {
        return stored;
    }
}

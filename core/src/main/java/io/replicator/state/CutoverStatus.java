package io.replicator.state;

/** A cutover's status, as stored in {@code replicator.cutover.status}. */
public enum CutoverStatus {
    /** The application runs on PostgreSQL; SQLite is fenced. */
    DONE("done"),
    /** Refused or aborted: SQLite takes writes, replication goes on. */
    ABORTED("aborted"),
    /** A rollback started and did not finish: refused by run until rollback is run again. */
    ROLLING_BACK("rolling back"),
    /** Back on SQLite: run resumes replication. */
    ROLLED_BACK("rolled back");

    public final String stored;

    CutoverStatus(String stored) {
        this.stored = stored;
    }

    public static CutoverStatus of(String stored) {
        for (CutoverStatus s : values()) if (s.stored.equals(stored)) return s;
        throw new IllegalArgumentException("unknown cutover status '" + stored + "' in replicator.cutover");
    }

    @Override
    public String toString() {
        return stored;
    }
}

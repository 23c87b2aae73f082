package io.replicator.snapshot.load;

/** Progress callbacks; the CLI draws a bar, tests ignore them. Called from worker threads. */
public interface SnapshotProgress {
    SnapshotProgress NONE = new SnapshotProgress() { };

    default void started(long totalRows, int tables) { }

    default void rows(long n) { }

    default void tableDone(String table, long rows, double seconds) { }

    default void finished() { }
}

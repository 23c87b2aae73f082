package io.replicator.run;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.state.SnapshotState;

/**
 * Where the snapshot of this SQLite file in PostgreSQL ended in the changelog: the feed of {@code run} and
 * {@code stream} starts right after it. Refused, with what to run, when the schema holds no finished snapshot of this
 * file or one taken without capture installed ({@link io.replicator.sink.HandOff}, which a sink without the file uses).
 */
public final class HandOff {
    private HandOff() {}

    /** The hand-off of the snapshot of {@code source} in {@code schema}; refused when the schema holds another file's. */
    public static long position(SqliteSource source, PostgresUrl target, String schema) {
        String path = source.path().toString();
        SnapshotState.Run run = io.replicator.sink.HandOff.finishedSnapshot(target, schema, "bin/replicator install --sqlite " + path + " && bin/replicator snapshot --sqlite " + path + " ...",
                "bin/replicator install --sqlite " + path + ", then snapshot again with --drop");
        if (!run.sqlitePath().equals(path)) {
            throw ReplicatorException.config("schema " + schema + " holds a snapshot of " + run.sqlitePath() + ", not of " + path
                    + "; pick the matching --schema, or snapshot this file into another schema");
        }
        return run.changelogSeq();
    }
}

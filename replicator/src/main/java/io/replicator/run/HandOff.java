package io.replicator.run;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.state.SnapshotState;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the snapshot in PostgreSQL ended in the changelog: the feed starts right after it. Refused, with what to
 * run, when the schema holds no finished snapshot of this file or one taken without capture installed.
 */
public final class HandOff {
    private HandOff() {}

    public static long position(SqliteSource source, PostgresUrl target, String schema) {
        try (Connection c = target.connect("replicator-stream")) {
            SnapshotState.ensure(c);
            SnapshotState.Run run = SnapshotState.existingRun(c, schema);
            if (run == null || !run.done()) {
                throw ReplicatorException.config("schema " + schema + " in " + target.redacted() + " holds no finished snapshot"
                        + (run == null ? "" : " (its snapshot is " + run.status() + ")") + ": the feed starts where a snapshot ended."
                        + " Run: bin/replicator install --sqlite " + source.path() + " && bin/replicator snapshot --sqlite " + source.path() + " ...");
            }
            if (!run.sqlitePath().equals(source.path().toString())) {
                throw ReplicatorException.config("schema " + schema + " holds a snapshot of " + run.sqlitePath() + ", not of " + source.path()
                        + "; pick the matching --schema, or snapshot this file into another schema");
            }
            if (run.changelogSeq() == null) {
                throw ReplicatorException.config("the snapshot in schema " + schema + " was taken without change capture installed, so"
                        + " the changes made since are unknown. Run bin/replicator install --sqlite " + source.path()
                        + ", then snapshot again with --drop");
            }
            return run.changelogSeq();
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the snapshot state in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }
}

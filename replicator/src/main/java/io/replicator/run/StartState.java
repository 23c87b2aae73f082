package io.replicator.run;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.rollback.PgChangeLog;
import io.replicator.state.CutoverState;
import io.replicator.state.CutoverStatus;
import io.replicator.state.StateSchema;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What {@code run} finds when it starts, from the cutover's record: nothing to do after a cutover; an unfinished
 * rollback refused; after a finished rollback the application writes SQLite again and PostgreSQL equals SQLite
 * as of the rollback, so replication resumes once the rollback's fence and key log are taken off PostgreSQL.
 */
final class StartState {
    private StartState() {}

    /** True when the schema was cut over (nothing left to replicate); prepares a resume after a rollback. */
    static boolean cutOver(PostgresUrl target, String schema) {
        try (Connection c = target.connect("replicator-run")) {
            StateSchema.ensure(c);
            CutoverStatus status = CutoverState.status(c, schema);
            if (status == CutoverStatus.ROLLING_BACK) {
                throw ReplicatorException.config("a rollback of schema " + schema + " did not finish: run `bin/replicator rollback` again first");
            }
            if (status == CutoverStatus.ROLLED_BACK) {
                c.setAutoCommit(false);
                PgChangeLog.remove(c, schema);
                CutoverState.clear(c, schema);
                c.commit();
                System.err.println("schema " + schema + " was rolled back to SQLite: PostgreSQL's fence is lifted, replication resumes");
                return false;
            }
            return status == CutoverStatus.DONE;
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the cutover state in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }

    /** Read while running: a cutover made through the control plane or by `cutover` ends the run. */
    static boolean cutOverSince(PostgresUrl target, String schema) {
        try (Connection c = target.connect("replicator-run")) {
            return CutoverState.status(c, schema) == CutoverStatus.DONE;
        } catch (SQLException | ReplicatorException e) {
            return false; // PostgreSQL unreachable for a moment: the sink reports it
        }
    }
}

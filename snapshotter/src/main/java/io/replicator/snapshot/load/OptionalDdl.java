package io.replicator.snapshot.load;

import io.replicator.translate.plan.Problem;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;

/**
 * A statement the snapshot can do without (a CHECK, a view): run inside a savepoint of the caller's transaction,
 * so that its failure rolls back only itself and becomes a warning, never a failed table or run.
 */
final class OptionalDdl {
    private OptionalDdl() {}

    /** Runs {@code sql}; on failure records a warning naming {@code what} instead of failing the transaction. */
    static void run(Connection c, String sql, String table, String what, List<Problem> warnings) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            c.releaseSavepoint(sp);
        } catch (SQLException e) {
            c.rollback(sp);
            warnings.add(new Problem(Problem.Level.WARNING, table, null, what + " not created in PostgreSQL: " + firstLine(e.getMessage())));
        }
    }

    /** The first line of a (PostgreSQL) message, for a one-line warning. */
    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

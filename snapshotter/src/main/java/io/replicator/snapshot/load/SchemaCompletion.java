package io.replicator.snapshot.load;

import io.replicator.state.SnapshotStatus;

import io.replicator.state.SnapshotState;

import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.plan.TablePlan;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;

import static io.replicator.core.Identifiers.pg;

/**
 * The last step of a snapshot, once every table is loaded: foreign keys and views (they span tables), then the
 * run row marked 'done', all in one transaction. So a run that says 'done' has every foreign key and view
 * PostgreSQL accepted; what it refused is a warning, never a failed run.
 */
final class SchemaCompletion {
    private SchemaCompletion() {}

    /** Adds foreign keys and views, marks the run done; warnings go to {@code problems}. */
    static void finish(Connection c, Plan plan, List<Problem> problems) throws SQLException {
        c.setAutoCommit(false);
        try {
            for (TablePlan t : plan.tables()) {
                for (String fk : t.foreignKeys()) addForeignKey(c, fk, t.source().name(), problems);
            }
            for (Plan.ViewPlan v : plan.views()) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL search_path = " + pg(plan.schema()));
                }
                OptionalDdl.run(c, v.sql(), v.name(), "view " + v.name(), problems);
            }
            SnapshotState.finish(c, plan.schema(), SnapshotStatus.DONE, null);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Adds a foreign key checked against the data; if SQLite's data violates it (SQLite does not enforce FKs by default), adds it NOT VALID and says so. */
    private static void addForeignKey(Connection c, String sql, String table, List<Problem> problems) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            c.releaseSavepoint(sp);
            return;
        } catch (SQLException e) {
            c.rollback(sp);
            if (!"23503".equals(e.getSQLState())) {
                problems.add(new Problem(Problem.Level.WARNING, table, null, "foreign key not created: " + OptionalDdl.firstLine(e.getMessage())));
                return;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql + " NOT VALID");
        }
        problems.add(new Problem(Problem.Level.WARNING, table, null, "existing rows violate a foreign key (SQLite did not enforce it); added NOT VALID: new rows are checked, the old orphans were copied as they are"));
    }
}

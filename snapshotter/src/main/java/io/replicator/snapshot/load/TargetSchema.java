package io.replicator.snapshot.load;

import io.replicator.state.SnapshotStatus;

import io.replicator.state.SnapshotState;

import io.replicator.core.Identifiers;
import io.replicator.core.ReplicatorException;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.TablePlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.pg;

/**
 * The target schema before and after a snapshot: one snapshot at a time per schema (a session advisory lock),
 * nothing overwritten unless {@code --drop} says so, and a failed run leaves no table behind. Works on the
 * coordinating connection only; tables themselves are created by {@link TableLoader}.
 */
final class TargetSchema {
    private TargetSchema() {}

    /** Takes the schema's advisory lock for this session; false when another snapshot into it holds it. */
    static boolean tryLock(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(hashtext('replicator.snapshot:' || " + Identifiers.sqlLiteral(schema) + "))")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Refuses a schema that holds an earlier snapshot or clashing relations, unless {@code drop}; with it, drops
     * them and the earlier run's state. Creates the schema when missing. One transaction.
     */
    static void prepare(Connection c, Plan plan, boolean drop) throws SQLException {
        refuseEarlierRun(c, plan.schema(), drop);
        String schema = plan.schema();
        List<String> clashes = existingRelations(c, plan);
        if (!clashes.isEmpty() && !drop) {
            throw ReplicatorException.config("schema " + schema + " already has " + clashes.size() + " of the tables/views this snapshot creates ("
                    + String.join(", ", clashes.subList(0, Math.min(5, clashes.size()))) + (clashes.size() > 5 ? ", …" : "")
                    + "). Rerun with --drop to replace them, or choose another --schema");
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (drop) {
                for (Plan.ViewPlan v : plan.views()) s.execute("DROP VIEW IF EXISTS " + pg(schema, v.pgName()) + " CASCADE");
                for (TablePlan t : plan.tables()) s.execute("DROP TABLE IF EXISTS " + pg(schema, t.pgName()) + " CASCADE");
                SnapshotState.forget(c, schema);
            }
            if (!schemaExists(c, schema)) s.execute("CREATE SCHEMA IF NOT EXISTS " + pg(schema)); // even IF NOT EXISTS needs CREATE on the database
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * {@code --into-existing}: the application's tables are filled, never dropped. Tables that hold rows (a
     * framework's migrations insert some, e.g. Django's content types) are refused unless {@code emptyFirst}, which
     * empties every table the copy fills (one TRUNCATE of them all, so foreign keys between them do not stand in
     * the way). An earlier run is refused unless {@code drop}. One transaction.
     */
    static void prepareExisting(Connection c, Plan plan, boolean drop, boolean emptyFirst) throws SQLException {
        String schema = plan.schema();
        refuseEarlierRun(c, schema, drop);
        List<String> withRows = new ArrayList<>();
        for (TablePlan t : plan.tables()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + pg(schema, t.pgName()) + ")")) {
                rs.next();
                if (rs.getBoolean(1)) withRows.add(t.pgName());
            }
        }
        if (!withRows.isEmpty() && !emptyFirst) {
            throw ReplicatorException.config("--into-existing: " + withRows.size() + " of the application's tables in schema " + schema + " already hold rows ("
                    + String.join(", ", withRows.subList(0, Math.min(8, withRows.size()))) + (withRows.size() > 8 ? ", …" : "") + "). The copy"
                    + " replaces them with SQLite's rows: rerun with --replace-existing-rows to empty those tables first (a framework's migrations"
                    + " insert some rows of their own, e.g. Django's content types; SQLite holds the same)");
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (emptyFirst && !withRows.isEmpty()) truncate(s, schema, plan.tables().stream().map(TablePlan::pgName).toList());
            if (drop) SnapshotState.forget(c, schema);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** An earlier snapshot into the schema is refused unless {@code drop}; a failed one that left nothing is forgotten. */
    private static void refuseEarlierRun(Connection c, String schema, boolean drop) throws SQLException {
        SnapshotState.Run run = SnapshotState.existingRun(c, schema);
        if (run != null && run.status() == SnapshotStatus.FAILED && SnapshotState.doneTables(c, schema).isEmpty()) {
            SnapshotState.forget(c, schema); // a failed run cleans up after itself; nothing to protect
            run = null;
        }
        if (run != null && !drop) {
            String what = switch (run.status()) {
                case DONE -> "already holds a complete snapshot of " + run.sqlitePath() + " (started " + run.startedAt() + ")";
                case RUNNING -> "holds a snapshot of " + run.sqlitePath() + " that was interrupted (started " + run.startedAt() + ")";
                default -> "holds a failed snapshot of " + run.sqlitePath() + " (started " + run.startedAt()
                        + (run.error() == null ? "" : "; " + OptionalDdl.firstLine(run.error())) + ")";
            };
            throw ReplicatorException.config("schema " + schema + " " + what + ". Rerun with --drop to start over, or choose another --schema");
        }
    }

    private static void truncate(Statement s, String schema, List<String> tables) throws SQLException {
        if (!tables.isEmpty()) s.execute("TRUNCATE " + String.join(", ", tables.stream().map(n -> pg(schema, n)).toList()));
    }

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<String> existingRelations(Connection c, Plan plan) throws SQLException {
        List<String> names = new ArrayList<>();
        plan.tables().forEach(t -> names.add(t.pgName()));
        plan.views().forEach(v -> names.add(v.pgName()));
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ANY (?)")) {
            ps.setString(1, plan.schema());
            ps.setArray(2, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) found.add(rs.getString(1));
            }
        }
        return found;
    }

    /**
     * A failed run leaves no table behind: the tables it completed are dropped (they would be replaced by
     * the next run anyway), or with {@code --into-existing} emptied, and the run row keeps the error. A later
     * run may then start without --drop.
     *
     * @param filled with --into-existing, the application's tables the run fills: all are emptied together (a table
     *               that references another must be emptied with it)
     */
    static void markFailed(Connection c, String schema, List<String> filled, RuntimeException e) {
        try {
            if (SnapshotState.existingRun(c, schema) == null) return;
            c.setAutoCommit(false);
            List<String> done = SnapshotState.doneTables(c, schema);
            try (Statement s = c.createStatement()) {
                if (filled != null) {
                    if (!done.isEmpty()) truncate(s, schema, filled);
                } else {
                    for (String table : done) s.execute("DROP TABLE IF EXISTS " + pg(schema, table) + " CASCADE");
                }
            }
            SnapshotState.forgetTables(c, schema);
            SnapshotState.finish(c, schema, SnapshotStatus.FAILED, e.getMessage());
            c.commit();
        } catch (SQLException ignored) {
            // the original error is what the user needs; the run row still says 'running', so a rerun asks for --drop
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // connection lost
            }
        }
    }
}

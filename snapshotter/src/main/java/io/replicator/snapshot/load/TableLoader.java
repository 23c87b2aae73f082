package io.replicator.snapshot.load;

import io.replicator.core.model.SqliteCheck;

import io.replicator.state.SnapshotState;

import io.replicator.core.PostgresErrors;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.translate.plan.DdlBuilder;
import io.replicator.translate.plan.IndexPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.plan.TablePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.replicator.core.Identifiers.pg;

/**
 * Loads one table in one PostgreSQL transaction: create, COPY, primary key / unique constraints and indexes,
 * CHECKs, identity restarts, ANALYZE, and the table's 'done' row. Either all of it commits or none of it, so a
 * table that looks done is done. Shared by all copy workers: it holds no per-table state, only the warnings
 * the workers found (a synchronized list).
 */
final class TableLoader {
    /** Logged under the snapshot's name, as operators know the line. */
    private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);

    private final SqliteSource source;
    private final PostgresUrl target;
    private final PlanOptions planOptions;
    private final SnapshotProgress progress;
    /** Warnings found while loading (CHECKs PostgreSQL rejected, notes of a re-plan), from all workers. */
    private final List<Problem> warnings = Collections.synchronizedList(new ArrayList<>());

    TableLoader(SqliteSource source, PostgresUrl target, PlanOptions planOptions, SnapshotProgress progress) {
        this.source = source;
        this.target = target;
        this.planOptions = planOptions;
        this.progress = progress;
    }

    /** What the workers found while loading; read once every worker has finished. */
    List<Problem> warnings() {
        return warnings;
    }

    /**
     * Copies one table with the planned types; if a value does not fit a type assumed from the declared type,
     * rolls back, decides the table's types from a full profile (same read transaction, so the same data),
     * and copies it once more. A column whose values then still conflict stops the snapshot with exit 3.
     */
    SnapshotReport.TableReport load(Connection sqlite, Connection pgc, String schema, TablePlan t, AtomicBoolean cancelled)
            throws SQLException, IOException {
        try {
            return loadOnce(sqlite, pgc, schema, t, cancelled);
        } catch (TableCopier.AssumptionFailed miss) {
            log.info("table {}: column {} holds a value its declared type cannot take ({}); profiling the table and copying it again",
                    t.source().name(), miss.column(), miss.getMessage());
            List<Problem> found = new ArrayList<>();
            TablePlan full = Planner.replanColumns(sqlite, t, planOptions, found);
            List<Problem> errors = found.stream().filter(p -> p.level() == Problem.Level.ERROR).toList();
            if (!errors.isEmpty()) {
                throw Snapshotter.planErrors(new Plan(source.path().toString(), schema, List.of(full), List.of(), errors));
            }
            warnings.addAll(found);
            return loadOnce(sqlite, pgc, schema, full, cancelled);
        }
    }

    private SnapshotReport.TableReport loadOnce(Connection sqlite, Connection pgc, String schema, TablePlan t, AtomicBoolean cancelled)
            throws SQLException, IOException {
        long t0 = System.nanoTime();
        pgc.setAutoCommit(false);
        try (Statement s = pgc.createStatement()) {
            s.execute("SET LOCAL synchronous_commit = off"); // the run row's commit below is synchronous
            TableCopier.Result r;
            if (planOptions.intoExisting()) { // the application's table: filled as it is, its sequences moved past the copied keys
                ExistingTableFill.beforeCopy(pgc);
                r = TableCopier.copy(sqlite, pgc, schema, t, progress::rows, cancelled);
                ExistingTableFill.afterCopy(pgc, schema, t.pgName());
            } else {
                s.execute(DdlBuilder.createTable(schema, t));
                r = TableCopier.copy(sqlite, pgc, schema, t, progress::rows, cancelled);
                for (IndexPlan ix : t.indexes()) s.execute(ix.sql());
                for (SqliteCheck chk : t.checks()) OptionalDdl.run(pgc, DdlBuilder.check(schema, t, chk), t.source().name(), "CHECK (" + chk.expression() + ")", warnings);
                for (String sql : DdlBuilder.identityRestarts(schema, t)) s.execute(sql);
            }
            s.execute("ANALYZE " + pg(schema, t.pgName()));
            double secs = (System.nanoTime() - t0) / 1e9;
            SnapshotState.tableDone(pgc, schema, t.pgName(), t.source().name(), r.rows(), r.bytes(), secs);
            pgc.commit();
            progress.tableDone(t.source().name(), r.rows(), secs);
            return new SnapshotReport.TableReport(t.source().name(), t.pgName(), r.rows(), r.bytes(), secs);
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                pgc.rollback();
            } catch (SQLException ignored) {
                // connection is broken; nothing was committed
            }
            if (e instanceof SQLException se && !(e.getCause() instanceof ReplicatorException)) {
                throw PostgresErrors.wrap("copying table " + t.source().name() + " failed (nothing of this table was committed)", se, target);
            }
            throw e;
        } finally {
            pgc.setAutoCommit(true);
        }
    }
}

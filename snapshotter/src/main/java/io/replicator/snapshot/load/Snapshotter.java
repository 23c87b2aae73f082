package io.replicator.snapshot.load;

import io.replicator.state.SnapshotState;
import io.replicator.state.SnapshotStatus;

import io.replicator.core.CaptureNames;
import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.translate.plan.DdlBuilder;
import io.replicator.translate.plan.IndexPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.replicator.core.Identifiers.pg;

/**
 * Copies a whole SQLite file into one PostgreSQL schema from one consistent SQLite read: plan, create, COPY
 * tables in parallel, build keys and indexes per table, then foreign keys and views. Each table is created,
 * loaded, indexed and marked done in one PostgreSQL transaction; the run row says when all of it finished.
 */
public final class Snapshotter {
    private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);
    private static final String APP = "replicator-snapshot";

    private final SqliteSource source;
    private final PostgresUrl target;
    private final SnapshotOptions opt;
    private final SnapshotProgress progress;

    public Snapshotter(SqliteSource source, PostgresUrl target, SnapshotOptions opt, SnapshotProgress progress) {
        this.source = source;
        this.target = target;
        this.opt = opt;
        this.progress = progress;
    }

    public SnapshotReport run() {
        long t0 = System.nanoTime();
        String schema = opt.plan().schema();
        String mode = prepareJournal();
        boolean wal = mode.equals("wal");
        long walBefore = source.walBytes();
        try (Connection coord = target.connect(APP)) {
            SnapshotState.ensure(coord);
            if (!tryLock(coord, schema)) {
                throw ReplicatorException.config("another snapshot into schema " + schema + " is running (advisory lock held); wait for it or stop it");
            }
            try (ConsistentRead read = ConsistentRead.open(source, opt.workers(), wal)) {
                Connection r0 = read.reader(0);
                Plan plan = Planner.plan(source.path().toString(), r0, SchemaReader.read(r0), opt.plan(), true);
                if (plan.hasErrors()) throw planErrors(plan);
                prepareTarget(coord, plan);
                Long seq = changelogSeq(r0);
                SnapshotState.start(coord, schema, source.path().toString(), seq, opt.plan().toJson());
                List<SnapshotReport.TableReport> done = copyAll(read, plan);
                List<Problem> problems = new ArrayList<>(plan.problems());
                finish(coord, plan, problems);
                long rows = done.stream().mapToLong(SnapshotReport.TableReport::rows).sum();
                long bytes = done.stream().mapToLong(SnapshotReport.TableReport::bytes).sum();
                return new SnapshotReport(source.path().toString(), target.redacted(), schema, mode, read.fenceMillis(), read.waitMillis(), seq, walBefore,
                        source.walBytes(), (System.nanoTime() - t0) / 1e9, rows, bytes, done, problems);
            } catch (RuntimeException e) {
                markFailed(coord, schema, e);
                throw e;
            }
        } catch (SQLException e) {
            throw io.replicator.core.PostgresErrors.wrap("snapshot into " + target.redacted() + " failed", e, target);
        } finally {
            progress.finished();
        }
    }

    private String prepareJournal() {
        String mode;
        try (Connection c = source.openReadOnly()) {
            mode = SqliteSource.journalMode(c);
            String enc = SqliteSource.encoding(c);
            if (!enc.equals("UTF-8")) {
                throw ReplicatorException.config(source.path() + " uses text encoding " + enc + "; only UTF-8 databases are supported");
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read " + source.path() + " as SQLite: " + e.getMessage(), e);
        }
        if (mode.equals("wal")) return mode;
        switch (opt.journal()) {
            case SWITCH_TO_WAL -> {
                log.info("switching {} from journal_mode={} to WAL (persistent)", source.path(), mode);
                return source.switchToWal();
            }
            case LOCK -> {
                return mode;
            }
            default -> throw ReplicatorException.config(source.path() + " is in rollback-journal mode (journal_mode=" + mode
                    + "): a snapshot would block the application's writers for its whole duration. Either switch it to WAL once "
                    + "(persistent, needs a local file system) with --rollback-journal=switch-to-wal, or, if nothing writes to the file "
                    + "during the copy, use --rollback-journal=lock");
        }
    }

    private static boolean tryLock(Connection c, String schema) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(hashtext('replicator.snapshot:' || " + io.replicator.core.Identifiers.sqlLiteral(schema) + "))")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Exit 3 before anything is written: every column whose values cannot all move exactly. */
    public static ReplicatorException planErrors(Plan plan) {
        StringBuilder sb = new StringBuilder();
        for (Problem p : plan.errors()) {
            sb.append(sb.length() == 0 ? "cannot move " : "\n  also ").append(p.where()).append(" without loss: ").append(p.message());
        }
        return new ReplicatorException(ExitCode.DATA_LOSS, sb + "\nThe snapshot stopped and left no table in PostgreSQL. "
                + "'replicator plan' lists every such column at once.");
    }

    private void prepareTarget(Connection c, Plan plan) throws SQLException {
        String schema = plan.schema();
        SnapshotState.Run run = SnapshotState.existingRun(c, schema);
        if (run != null && run.status() == SnapshotStatus.FAILED && SnapshotState.doneTables(c, schema).isEmpty()) {
            SnapshotState.forget(c, schema); // a failed run cleans up after itself; nothing to protect
            run = null;
        }
        if (run != null && !opt.drop()) {
            String what = switch (run.status()) {
                case DONE -> "already holds a complete snapshot of " + run.sqlitePath() + " (started " + run.startedAt() + ")";
                case RUNNING -> "holds a snapshot of " + run.sqlitePath() + " that was interrupted (started " + run.startedAt() + ")";
                default -> "holds a failed snapshot of " + run.sqlitePath() + " (started " + run.startedAt()
                        + (run.error() == null ? "" : "; " + firstLine(run.error())) + ")";
            };
            throw ReplicatorException.config("schema " + schema + " " + what + ". Rerun with --drop to start over, or choose another --schema");
        }
        List<String> clashes = existingRelations(c, plan);
        if (!clashes.isEmpty() && !opt.drop()) {
            throw ReplicatorException.config("schema " + schema + " already has " + clashes.size() + " of the tables/views this snapshot creates ("
                    + String.join(", ", clashes.subList(0, Math.min(5, clashes.size()))) + (clashes.size() > 5 ? ", …" : "")
                    + "). Rerun with --drop to replace them, or choose another --schema");
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (opt.drop()) {
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

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static List<String> existingRelations(Connection c, Plan plan) throws SQLException {
        List<String> names = new ArrayList<>();
        plan.tables().forEach(t -> names.add(t.pgName()));
        plan.views().forEach(v -> names.add(v.pgName()));
        List<String> found = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ANY (?)")) {
            ps.setString(1, plan.schema());
            ps.setArray(2, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) found.add(rs.getString(1));
            }
        }
        return found;
    }

    /** Reads the capture changelog's high-water mark in the snapshot's transaction, when capture is installed. */
    private static Long changelogSeq(Connection r0) {
        try (Statement s = r0.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_schema WHERE type='table' AND name='" + CaptureNames.CHANGELOG + "'")) {
            if (!rs.next()) return null;
        } catch (SQLException e) {
            return null;
        }
        try (Statement s = r0.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM " + CaptureNames.CHANGELOG)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the capture changelog's high-water mark: " + e.getMessage(), e);
        }
    }

    private List<SnapshotReport.TableReport> copyAll(ConsistentRead read, Plan plan) {
        List<TablePlan> order = new ArrayList<>(plan.tables());
        order.sort(Comparator.comparingLong(TablePlan::rows).reversed());
        ConcurrentLinkedQueue<TablePlan> queue = new ConcurrentLinkedQueue<>(order);
        progress.started(order.stream().mapToLong(TablePlan::rows).sum(), order.size());
        AtomicBoolean cancelled = new AtomicBoolean();
        List<SnapshotReport.TableReport> done = Collections.synchronizedList(new ArrayList<>());
        int n = Math.min(read.size(), Math.max(1, order.size()));
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "snapshot-worker");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Connection sqlite = read.reader(i);
            futures.add(pool.submit(() -> {
                try (Connection pgc = target.connect(APP)) {
                    TablePlan t;
                    while (!cancelled.get() && (t = queue.poll()) != null) {
                        done.add(copyTable(sqlite, pgc, plan.schema(), t, cancelled));
                    }
                } catch (SQLException | IOException e) {
                    cancelled.set(true);
                    throw new RuntimeException(e);
                } catch (RuntimeException e) {
                    cancelled.set(true);
                    throw e;
                }
                return null;
            }));
        }
        pool.shutdown();
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled.set(true);
                first = ReplicatorException.runtime("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                RuntimeException r = c instanceof ReplicatorException re ? re
                        : c instanceof TableCopier.CancelledException ce ? null
                        : ReplicatorException.runtime("copying from " + source.path() + " failed: " + describe(c), c);
                if (r != null && (first == null || !(first instanceof ReplicatorException))) first = r;
            }
        }
        if (first != null) throw first;
        return done;
    }

    private static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getMessage() != null && c.getMessage().equals(String.valueOf(c.getCause()))) c = c.getCause();
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /**
     * Copies one table with the planned types; if a value does not fit a type assumed from the declared type,
     * rolls back, decides the table's types from a full profile (same read transaction, so the same data),
     * and copies it once more. A column whose values then still conflict stops the snapshot with exit 3.
     */
    private SnapshotReport.TableReport copyTable(Connection sqlite, Connection pgc, String schema, TablePlan t, AtomicBoolean cancelled)
            throws SQLException, IOException {
        try {
            return copyTableOnce(sqlite, pgc, schema, t, cancelled);
        } catch (TableCopier.AssumptionFailed miss) {
            log.info("table {}: column {} holds a value its declared type cannot take ({}); profiling the table and copying it again",
                    t.source().name(), miss.column(), miss.getMessage());
            List<Problem> found = new ArrayList<>();
            TablePlan full = Planner.replanColumns(sqlite, t, opt.plan(), found);
            List<Problem> errors = found.stream().filter(p -> p.level() == Problem.Level.ERROR).toList();
            if (!errors.isEmpty()) {
                throw planErrors(new Plan(source.path().toString(), schema, List.of(full), List.of(), errors));
            }
            loadWarnings.addAll(found);
            return copyTableOnce(sqlite, pgc, schema, full, cancelled);
        }
    }

    private SnapshotReport.TableReport copyTableOnce(Connection sqlite, Connection pgc, String schema, TablePlan t, AtomicBoolean cancelled)
            throws SQLException, IOException {
        long t0 = System.nanoTime();
        pgc.setAutoCommit(false);
        try (Statement s = pgc.createStatement()) {
            s.execute("SET LOCAL synchronous_commit = off"); // the run row's commit below is synchronous
            s.execute(DdlBuilder.createTable(schema, t));
            TableCopier.Result r = TableCopier.copy(sqlite, pgc, schema, t, progress::rows, cancelled);
            for (IndexPlan ix : t.indexes()) s.execute(ix.sql());
            for (String chk : t.checks()) tryStatement(pgc, DdlBuilder.check(schema, t, chk), t.source().name(), "CHECK (" + chk + ")", loadWarnings);
            for (String sql : DdlBuilder.identityRestarts(schema, t)) s.execute(sql);
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
                throw io.replicator.core.PostgresErrors.wrap("copying table " + t.source().name() + " failed (nothing of this table was committed)", se, target);
            }
            throw e;
        } finally {
            pgc.setAutoCommit(true);
        }
    }

    /** Runs an optional statement inside a savepoint; on failure records a warning instead of failing the table. */
    private static void tryStatement(Connection c, String sql, String table, String what, List<Problem> warnings) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            c.releaseSavepoint(sp);
        } catch (SQLException e) {
            c.rollback(sp);
            warnings.add(new Problem(Problem.Level.WARNING, table, null, what + " not created in PostgreSQL: " + firstLine(e.getMessage())));
        }
    }

    /** Warnings found while loading (CHECKs PostgreSQL rejected), from all workers. */
    private final List<Problem> loadWarnings = Collections.synchronizedList(new ArrayList<>());

    private void finish(Connection c, Plan plan, List<Problem> problems) throws SQLException {
        problems.addAll(loadWarnings);
        c.setAutoCommit(false);
        try {
            for (TablePlan t : plan.tables()) {
                for (String fk : t.foreignKeys()) addForeignKey(c, fk, t.source().name(), problems);
            }
            for (Plan.ViewPlan v : plan.views()) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL search_path = " + pg(plan.schema()));
                }
                tryStatement(c, v.sql(), v.name(), "view " + v.name(), problems);
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
    private void addForeignKey(Connection c, String sql, String table, List<Problem> problems) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            c.releaseSavepoint(sp);
            return;
        } catch (SQLException e) {
            c.rollback(sp);
            if (!"23503".equals(e.getSQLState())) {
                problems.add(new Problem(Problem.Level.WARNING, table, null, "foreign key not created: " + firstLine(e.getMessage())));
                return;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql + " NOT VALID");
        }
        problems.add(new Problem(Problem.Level.WARNING, table, null, "existing rows violate a foreign key (SQLite did not enforce it); added NOT VALID: new rows are checked, the old orphans were copied as they are"));
    }

    /**
     * A failed run leaves no table behind: the tables it completed are dropped (they would be replaced by
     * the next run anyway), and the run row keeps the error. A later run may then start without --drop.
     */
    private static void markFailed(Connection c, String schema, RuntimeException e) {
        try {
            if (SnapshotState.existingRun(c, schema) == null) return;
            c.setAutoCommit(false);
            for (String table : SnapshotState.doneTables(c, schema)) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + pg(schema, table) + " CASCADE");
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

package io.replicator.testing;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application whose writes show in PostgreSQL whether anything was applied twice, lost, or out of order: every
 * transaction adds 1 to {@code counter.n} (one row) and inserts the row {@code ledger(id = n, n = n)}. So in SQLite,
 * and in every state PostgreSQL may show (a consistent prefix), {@code counter.n} equals the number of ledger rows and
 * each ledger row's {@code n} equals its id; an old transaction applied again after a newer one would show a counter
 * behind the ledger, a lost one a gap. {@link #sample} reads both and the sink's position in one statement (one
 * PostgreSQL snapshot), and {@link Samples} checks that none of them ever goes back.
 */
public final class CounterApp implements AutoCloseable {
    public static final String[] SCHEMA = {
            "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
            "CREATE TABLE ledger (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
            "INSERT INTO counter VALUES (1, 0)"};

    private final Path db;
    private final long pauseMs;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private Thread thread;

    private CounterApp(Path db, long pauseMs) {
        this.db = db;
        this.pauseMs = pauseMs;
    }

    /** A new SQLite file {@code dir/name} with the application's tables (nothing written yet). */
    public static Path create(Path dir, String name) throws Exception {
        return SqliteFiles.create(dir, name, SCHEMA);
    }

    /** Starts writing to {@code db}: one transaction, then {@code pauseMs}, over and over until {@link #stop}. */
    public static CounterApp start(Path db, long pauseMs) throws SQLException {
        CounterApp app = new CounterApp(db, pauseMs);
        app.committed.set(counter(db));
        app.thread = new Thread(app::write, "counter-app-" + db.getFileName());
        app.thread.start();
        return app;
    }

    private void write() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 30000");
            }
            try (PreparedStatement upd = c.prepareStatement("UPDATE counter SET n = n + 1 WHERE id = 1");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO ledger (id, n) SELECT n, n FROM counter WHERE id = 1")) {
                while (!stop.get()) {
                    c.setAutoCommit(false);
                    upd.executeUpdate();
                    ins.executeUpdate();
                    c.commit();
                    c.setAutoCommit(true);
                    committed.incrementAndGet();
                    Thread.sleep(pauseMs);
                }
            }
        } catch (Throwable t) {
            error.set(t);
        }
    }

    /** Transactions committed so far (including those before this writer started). */
    public long committed() {
        return committed.get();
    }

    /** Stops writing; the number of transactions committed in all. Fails if a write failed. */
    public long stop() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
        if (error.get() != null) throw new AssertionError("the application's writer on " + db + " failed", error.get());
        return committed.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        if (thread != null) thread.join(30_000);
    }

    /** The counter in SQLite. */
    public static long counter(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT n FROM counter WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** One look at PostgreSQL: the counter, the ledger's row count, and the sink position's changelog seq (-1: none). */
    public record Sample(long counter, long ledgerRows, long seq) {}

    /** Reads {@code schema}'s counter, ledger size and sink position in one statement, so from one snapshot. */
    public static Sample sample(Connection pg, String schema) throws SQLException {
        String q = "\"" + schema + "\"";
        try (Statement s = pg.createStatement(); ResultSet rs = s.executeQuery("SELECT (SELECT n FROM " + q + ".counter WHERE id = 1),"
                + " (SELECT count(*) FROM " + q + ".ledger), coalesce((SELECT seq FROM replicator.sink_position WHERE target_schema = '" + schema + "'), -1)")) {
            rs.next();
            return new Sample(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    /** Every ledger row in PostgreSQL has n = id and the ids are exactly 1..count (no gap, no extra). */
    public static void assertLedgerExact(String schema, long expected) throws SQLException {
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0), count(*) FILTER (WHERE n <> id) FROM \"" + schema + "\".ledger")) {
            rs.next();
            assertEquals(expected, rs.getLong(1), schema + ": ledger rows");
            if (expected > 0) {
                assertEquals(1, rs.getLong(2), schema + ": the first ledger row");
                assertEquals(expected, rs.getLong(3), schema + ": the last ledger row");
            }
            assertEquals(0, rs.getLong(4), schema + ": ledger rows whose n is not their id");
        }
    }

    /**
     * The samples of one schema over time: each is a state SQLite had (counter = ledger rows) and none goes back from
     * the one before, in counter, ledger or position (across restarts and kills of the sink too).
     */
    public static final class Samples {
        private final String schema;
        private Sample last;
        private int taken;

        public Samples(String schema) {
            this.schema = schema;
        }

        /** Takes a sample and checks it; returns it. */
        public Sample check(Connection pg) throws SQLException {
            Sample s = sample(pg, schema);
            assertEquals(s.counter(), s.ledgerRows(), () -> schema + ": PostgreSQL shows a state SQLite never had (counter vs ledger rows): " + s);
            if (last != null) {
                Sample prev = last;
                assertTrue(s.counter() >= prev.counter(), () -> schema + ": the counter went back from " + prev + " to " + s);
                assertTrue(s.seq() >= prev.seq(), () -> schema + ": the sink position went back from " + prev + " to " + s);
            }
            last = s;
            taken++;
            return s;
        }

        public int taken() {
            return taken;
        }

        public Sample last() {
            return last;
        }
    }
}

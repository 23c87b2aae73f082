package io.replicator.core.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An application using a SQLite file through its own connection, in its own thread, the way the tool meets
 * applications on a live file: a steady writer of short transactions, and a transaction that holds the write lock.
 * Uses the tables {@link #TABLES} (create them with the file).
 */
public final class SqliteApp {
    private SqliteApp() {}

    public static final List<String> TABLES = List.of(
            "CREATE TABLE app_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
            "INSERT INTO app_counter VALUES (1, 0)",
            "CREATE TABLE app_item (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, note TEXT)");

    /** A rollback-journal file (SQLite's default, and Django's) with {@link #TABLES} and {@code extra} statements. */
    public static Path rollbackJournalFile(Path dir, String name, String... extra) throws SQLException {
        Path p = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=DELETE");
            for (String sql : TABLES) s.execute(sql);
            for (String sql : extra) s.execute(sql);
        }
        return p;
    }

    /**
     * Short write transactions at a steady rate, each: {@code BEGIN} (deferred), {@code INSERT}, {@code UPDATE},
     * {@code COMMIT}, with a busy timeout of 5 s. The write comes first, so the transaction starts as a writer and
     * waits in SQLite's busy handler for any lock (what {@code BEGIN IMMEDIATE} gives): it fails only if a lock is
     * held longer than its timeout. {@code holdEach} keeps the write lock that long in each transaction.
     */
    public static final class Writer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong commits = new AtomicLong();
        private final Map<String, Integer> failures = new ConcurrentHashMap<>();
        private final AtomicReference<Throwable> crash = new AtomicReference<>();
        private final Thread thread;

        public Writer(Path db, int perSecond, Duration holdEach) {
            long period = 1_000_000_000L / perSecond;
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA busy_timeout = 5000");
                    }
                    long next = System.nanoTime();
                    long i = 0;
                    while (!stop.get()) {
                        try (Statement s = c.createStatement()) {
                            s.execute("BEGIN");
                            try {
                                s.executeUpdate("INSERT INTO app_item (v, note) VALUES (" + (++i) + ", 'w')");
                                s.executeUpdate("UPDATE app_counter SET n = n + 1 WHERE id = 1");
                                if (!holdEach.isZero()) LockSupport.parkNanos(holdEach.toNanos());
                                s.execute("COMMIT");
                                commits.incrementAndGet();
                            } catch (SQLException e) {
                                failures.merge(e.getMessage(), 1, Integer::sum);
                                try {
                                    s.execute("ROLLBACK");
                                } catch (SQLException ignored) {
                                    // no transaction left open
                                }
                            }
                        }
                        next += period;
                        long wait = next - System.nanoTime();
                        if (wait > 0) LockSupport.parkNanos(wait);
                        else if (wait < -1_000_000_000L) next = System.nanoTime(); // fell behind during a long lock: no burst
                    }
                } catch (Throwable t) {
                    crash.set(t);
                }
            }, "sqlite-app-writer");
            thread.setDaemon(true);
            thread.start();
        }

        public long commits() {
            return commits.get();
        }

        /** Failed transactions by error message. */
        public Map<String, Integer> failures() {
            return Map.copyOf(failures);
        }

        /** Waits until {@code n} more transactions committed. */
        public void awaitCommits(long n, Duration timeout) throws InterruptedException {
            long target = commits.get() + n;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (commits.get() < target) {
                if (crash.get() != null) throw new AssertionError("the application's writer crashed", crash.get());
                if (System.nanoTime() > deadline) throw new AssertionError("the application committed only " + commits.get() + " transactions");
                Thread.sleep(1);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
            if (crash.get() != null) throw new AssertionError("the application's writer crashed", crash.get());
        }
    }

    /**
     * One application transaction that takes the write lock ({@code BEGIN IMMEDIATE} and an insert) and commits
     * after {@code hold}, or when {@link #release()} is called.
     */
    public static final class LockHolder implements AutoCloseable {
        private final CountDownLatch taken = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicLong committedAt = new AtomicLong();
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final Thread thread;

        public LockHolder(Path db, Duration hold) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 30000");
                    s.execute("BEGIN IMMEDIATE");
                    s.executeUpdate("INSERT INTO app_item (v, note) VALUES (-1, 'held')");
                    taken.countDown();
                    release.await(hold.toMillis(), TimeUnit.MILLISECONDS);
                    s.execute("COMMIT");
                    committedAt.set(System.nanoTime());
                } catch (Throwable t) {
                    error.set(t);
                    taken.countDown();
                }
            }, "sqlite-app-lock-holder");
            thread.setDaemon(true);
            thread.start();
        }

        /** Blocks until the application holds the write lock. */
        public LockHolder awaitTaken() throws InterruptedException {
            if (!taken.await(30, TimeUnit.SECONDS) || error.get() != null) throw new AssertionError("the application could not take the lock", error.get());
            return this;
        }

        public void release() {
            release.countDown();
        }

        /** When the application's transaction committed ({@link System#nanoTime()}), 0 if not yet. */
        public long committedAt() {
            return committedAt.get();
        }

        /** Waits for the application's transaction to end; its error if it failed. */
        public Throwable join() throws InterruptedException {
            thread.join(60_000);
            return error.get();
        }

        @Override
        public void close() throws InterruptedException {
            release();
            join();
        }
    }

    /** Rows the application committed in {@code app_item}. */
    public static long items(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM app_item")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs one statement in its own connection. */
    public static void exec(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }
}

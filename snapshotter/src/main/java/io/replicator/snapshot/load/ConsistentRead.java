package io.replicator.snapshot.load;

import io.replicator.core.sqlite.SqliteSource;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * N SQLite connections that all see the database at one same instant, so several tables can be read in
 * parallel from one consistent picture.
 * <p>In WAL mode each connection's read transaction sees the last commit before it started. To make all N
 * start after the same commit, a fence connection takes the write lock ({@code BEGIN IMMEDIATE}), the N
 * readers start their transactions, and the fence lets go: the application's writers waited only that long
 * (milliseconds), never for the copy. In LOCK mode (rollback journal) the first reader's shared lock already
 * keeps every writer out until the copy ends, which is what that mode means.
 */
public final class ConsistentRead implements AutoCloseable {
    private final List<Connection> readers;
    private final long fenceMillis;
    private final long waitMillis;

    private ConsistentRead(List<Connection> readers, long fenceMillis, long waitMillis) {
        this.readers = readers;
        this.fenceMillis = fenceMillis;
        this.waitMillis = waitMillis;
    }

    public static ConsistentRead open(SqliteSource source, int n, boolean wal) {
        List<Connection> readers = new ArrayList<>();
        long t0 = System.nanoTime();
        long held = t0;
        Connection fence = null;
        try {
            if (wal && n > 1) {
                fence = source.openWritable();
                takeWriteLock(fence, source);
                held = System.nanoTime();
            }
            for (int i = 0; i < n; i++) {
                Connection c = source.openReadOnly();
                readers.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute("BEGIN");
                    s.executeQuery("SELECT count(*) FROM sqlite_schema").close(); // starts the read transaction now
                }
            }
            long released = System.nanoTime();
            if (fence != null) {
                try (Statement s = fence.createStatement()) {
                    s.execute("ROLLBACK");
                }
                released = System.nanoTime();
            }
            return new ConsistentRead(readers, (released - held) / 1_000_000, (held - t0) / 1_000_000);
        } catch (SQLException | RuntimeException e) {
            readers.forEach(ConsistentRead::closeQuietly);
            throw new ReplicatorException(ExitCode.RUNTIME, "cannot open a consistent read of " + source.path() + ": " + e.getMessage()
                    + " (a long application write transaction holds the lock? retry when it commits)", e);
        } finally {
            if (fence != null) closeQuietly(fence); // also releases the lock if ROLLBACK was not reached
        }
    }

    /** Patience for the application's write transactions before giving up on the fence. */
    private static final long FENCE_PATIENCE_NANOS = 30_000_000_000L;

    private static void takeWriteLock(Connection fence, SqliteSource source) throws SQLException {
        // SQLite's own busy handler sleeps in growing steps and loses the race against a busy writer; polling
        // with a short sleep catches the gap between two of the application's transactions.
        try (Statement s = fence.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
        }
        long deadline = System.nanoTime() + FENCE_PATIENCE_NANOS;
        while (true) {
            try (Statement s = fence.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                return;
            } catch (SQLException e) {
                boolean busy = e.getMessage() != null && (e.getMessage().contains("SQLITE_BUSY") || e.getMessage().contains("locked"));
                if (!busy || System.nanoTime() > deadline) {
                    throw new SQLException("could not take the write lock of " + source.path() + " for a moment within 30 s: " + e.getMessage(), e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                if (Thread.currentThread().isInterrupted()) throw new SQLException("interrupted while waiting for the write lock");
            }
        }
    }

    public Connection reader(int i) {
        return readers.get(i);
    }

    public int size() {
        return readers.size();
    }

    /** How long the application's writers were held off to align the readers (ms). */
    public long fenceMillis() {
        return fenceMillis;
    }

    /** How long the snapshot waited for the application's write transactions to let it take the fence (ms). */
    public long waitMillis() {
        return waitMillis;
    }

    @Override
    public void close() {
        for (Connection c : readers) {
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            } catch (SQLException ignored) {
                // read-only transaction: nothing to lose
            }
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }
}

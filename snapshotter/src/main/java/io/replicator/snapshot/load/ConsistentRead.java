package io.replicator.snapshot.load;

import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.sqlite.SqliteWriteLock;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * N SQLite connections that all see the database at one same instant, so several tables can be read in
 * parallel from one consistent picture.
 * <p>In WAL mode each connection's read transaction sees the last commit before it started. To make all N
 * start after the same commit, they are started between two commits of the application, checked with
 * {@code PRAGMA data_version} ({@link #alignBetweenCommits}): no lock, so no application transaction waits or
 * fails. Only if the application commits too often for that, a fence connection takes the write lock
 * ({@link SqliteWriteLock#begin}, waiting up to the busy timeout for a gap between the application's
 * transactions), the N readers (connected beforehand) start their transactions, and the fence lets go without
 * writing: the application's writers waited only that long (a millisecond or less), never for the copy; but a
 * deferred application transaction that read before and wants to write during it gets SQLITE_BUSY. In LOCK mode (rollback journal) the first reader's shared lock already
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
        Connection fence = null;
        try {
            // connected, and the schema loaded, before the fence goes up: the application's writers wait only for n BEGINs
            for (int i = 0; i < n; i++) {
                Connection c = source.openReadOnly();
                readers.add(c);
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT count(*) FROM sqlite_schema").close();
                }
            }
            long t0 = System.nanoTime();
            if (wal && n > 1 && alignBetweenCommits(source, readers)) {
                return new ConsistentRead(readers, 0, (System.nanoTime() - t0) / 1_000_000);
            }
            long held = t0;
            if (wal && n > 1) {
                fence = source.openWritable();
                SqliteWriteLock.begin(fence, source, "align the snapshot's readers on");
                held = System.nanoTime();
            }
            beginAll(readers);
            long released = System.nanoTime();
            if (fence != null) {
                try (Statement s = fence.createStatement()) {
                    s.execute("ROLLBACK"); // nothing written: the application's open transactions stay valid
                }
                released = System.nanoTime();
            }
            return new ConsistentRead(readers, (released - held) / 1_000_000, (held - t0) / 1_000_000);
        } catch (ReplicatorException e) {
            readers.forEach(ConsistentRead::closeQuietly);
            throw e;
        } catch (SQLException | RuntimeException e) {
            readers.forEach(ConsistentRead::closeQuietly);
            throw new ReplicatorException(ExitCode.RUNTIME, "cannot open a consistent read of " + source.path() + ": " + e.getMessage(), e);
        } finally {
            if (fence != null) closeQuietly(fence); // also releases the lock if ROLLBACK was not reached
        }
    }

    /** Tries before falling back to the fence: at 200 commits/s, about 19 tries in 20 succeed at once. */
    private static final int QUIET_TRIES = 20;

    /**
     * Starts the readers' transactions between two commits of the application, taking no lock: a probe connection
     * reads {@code PRAGMA data_version} before the first reader starts and after the last one did; SQLite changes
     * that number when any other connection committed in between. Equal, no commit came between the readers'
     * starts, so they all see the same one. Tried {@link #QUIET_TRIES} times after short random pauses.
     */
    private static boolean alignBetweenCommits(SqliteSource source, List<Connection> readers) throws SQLException {
        try (Connection probe = source.openReadOnly()) {
            for (int i = 0; i < QUIET_TRIES; i++) {
                long before = dataVersion(probe);
                beginAll(readers);
                if (dataVersion(probe) == before) return true;
                for (Connection c : readers) {
                    try (Statement s = c.createStatement()) {
                        s.execute("COMMIT");
                    }
                }
                LockSupport.parkNanos(100_000 + ThreadLocalRandom.current().nextLong(900_000));
            }
        }
        return false;
    }

    private static void beginAll(List<Connection> readers) throws SQLException {
        for (Connection c : readers) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
                s.executeQuery("SELECT count(*) FROM sqlite_schema").close(); // starts the read transaction now
            }
        }
    }

    private static long dataVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA data_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public Connection reader(int i) {
        return readers.get(i);
    }

    public int size() {
        return readers.size();
    }

    /** How long the application's writers were held off to align the readers (ms); 0 when they were aligned between commits. */
    public long fenceMillis() {
        return fenceMillis;
    }

    /** How long aligning the readers took: waiting for a gap between the application's commits, or for the write lock (ms). */
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

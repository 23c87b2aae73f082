package io.replicator.core.sqlite;

import io.replicator.core.ReplicatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * How the tool takes SQLite's write lock on the application's live file: it waits for the application's
 * transactions (up to the source's busy timeout, {@link SqliteSource#DEFAULT_BUSY_TIMEOUT}) instead of failing,
 * and takes the lock only in a gap between them, so that the application's own transactions are not made to fail.
 * <p>Why not simply a busy handler ({@link PollingBusyHandler}): SQLite calls it only for a connection that holds no
 * lock yet. A statement that upgrades a read to a write (as {@code PRAGMA journal_mode=WAL} does inside) fails at
 * once when another connection writes. So the attempt is made without a busy handler and repeated after a short
 * pause (0.1 ms in WAL mode, where a failed try costs nobody anything; 1 ms with a rollback journal, where each
 * try holds RESERVED and PENDING for a few microseconds).
 * <p>In WAL mode the attempt is made right after the application commits ({@link #awaitCommit}), at the start of
 * the gap before its next transaction.
 * <p>Write transactions start with {@code BEGIN EXCLUSIVE}. In WAL mode it is the same as {@code BEGIN IMMEDIATE}.
 * With a rollback journal it succeeds only when no other connection is even reading, i.e. when no application
 * transaction is under way: a deferred application transaction that has read and is about to write is never
 * caught half-way (it would get SQLITE_BUSY at once, whatever its timeout); the application's next transaction
 * waits in its busy handler for the milliseconds the tool holds the lock. A reader that never lets go would
 * starve such polling, so in the last quarter of the busy timeout the attempt waits in the busy handler
 * instead, holding PENDING, which lets the readers drain.
 */
public final class SqliteWriteLock {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteWriteLock.class);
    private static final long WAL_PAUSE_NANOS = 100_000;
    private static final long JOURNAL_PAUSE_NANOS = 1_000_000;

    private SqliteWriteLock() {}

    /** One try at something that needs SQLite's write lock; fails with SQLITE_BUSY when another connection holds it. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws SQLException;
    }

    /** Starts a write transaction on {@code c} ({@code BEGIN EXCLUSIVE}), waiting as {@link #retry} does. */
    public static void begin(Connection c, SqliteSource source, String what) throws SQLException {
        retry(c, source, what, () -> {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
            }
            return null;
        });
    }

    /**
     * Runs {@code attempt} until it does not fail with SQLITE_BUSY / SQLITE_LOCKED, for at most the source's busy
     * timeout; then stops with a message naming the file, how long it waited and what to do (nothing was changed).
     * {@code c} must be in autocommit mode, with no transaction open; it gets the {@link PollingBusyHandler} back afterwards.
     *
     * @param what what the tool was doing, completing "cannot ... FILE", e.g. "install change capture in"
     */
    public static <T> T retry(Connection c, SqliteSource source, String what, Attempt<T> attempt) throws SQLException {
        long timeoutNanos = source.busyTimeout().toNanos();
        long t0 = System.nanoTime();
        long deadline = t0 + timeoutNanos;
        boolean wal = journalMode(c).equals("wal");
        long blockingFrom = wal ? Long.MAX_VALUE : t0 + timeoutNanos / 4 * 3;
        long pause = wal ? WAL_PAUSE_NANOS : JOURNAL_PAUSE_NANOS;
        int tries = 0;
        SQLException last = null;
        if (wal) awaitCommit(c);
        PollingBusyHandler.remove(c);
        try {
            while (true) {
                tries++;
                long now = System.nanoTime();
                if (now >= blockingFrom) PollingBusyHandler.install(c, Duration.ofNanos(Math.max(1, deadline - now)));
                try {
                    T result = attempt.run();
                    long waited = (System.nanoTime() - t0) / 1_000_000;
                    if (waited >= 1000) LOG.info("{}: took the write lock of {} after waiting {} ms ({} tries)", what, source.path(), waited, tries);
                    return result;
                } catch (SQLException e) {
                    if (!SqliteErrors.busy(e)) throw e;
                    last = e;
                }
                if (System.nanoTime() >= deadline) throw timedOut(source, what, System.nanoTime() - t0, tries, last);
                LockSupport.parkNanos(pause);
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw ReplicatorException.runtime("interrupted while waiting for the write lock of " + source.path() + " (to " + what + " it)", last);
                }
            }
        } finally {
            PollingBusyHandler.install(c, source.busyTimeout());
        }
    }

    /** How long {@link #awaitCommit} waits for the application to commit before going ahead anyway. */
    private static final long COMMIT_WAIT_NANOS = 100_000_000;

    /**
     * Waits until another connection commits (it reads {@code PRAGMA data_version}, which takes no lock in WAL
     * mode, every 0.1 ms), for at most 100 ms: the application has just ended a transaction, so what is done at
     * once falls in the gap before its next one. In WAL mode a deferred application transaction fails when our
     * write comes between its first read and its first write (SQLITE_BUSY, or SQLITE_BUSY_SNAPSHOT after our
     * commit), whatever its busy timeout; an application committing steadily is almost never there right after
     * its own commit. An idle application (no commit for 100 ms) has nothing under way to fail.
     * {@code c} must be in autocommit mode.
     */
    public static void awaitCommit(Connection c) throws SQLException {
        long deadline = System.nanoTime() + COMMIT_WAIT_NANOS;
        try (Statement s = c.createStatement()) {
            long before = dataVersion(s);
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(WAL_PAUSE_NANOS);
                if (dataVersion(s) != before) return;
            }
        }
    }

    private static long dataVersion(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA data_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ReplicatorException timedOut(SqliteSource source, String what, long waitedNanos, int tries, SQLException last) {
        String waited = String.format(Locale.ROOT, "%.1f s", waitedNanos / 1e9);
        String limit = human(source.busyTimeout().toMillis());
        return ReplicatorException.runtime("cannot " + what + " " + source.path() + ": another connection kept SQLite's lock on the file for the"
                + " whole busy timeout (waited " + waited + ", " + tries + " tries; last: " + last.getMessage() + "). Nothing was changed. It is"
                + " most likely a long write transaction of the application (a batch job, a migration), a backup, or a sqlite3 shell left"
                + " inside BEGIN; `fuser -v " + source.path() + "` lists the processes that have the file open. Let it finish (or stop it)"
                + " and run the command again, or give the replicator more patience with --sqlite-busy-timeout (now " + limit + ").", last);
    }

    private static String human(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String journalMode(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            return rs.next() ? rs.getString(1).toLowerCase(Locale.ROOT) : "unknown";
        }
    }
}

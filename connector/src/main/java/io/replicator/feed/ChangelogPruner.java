package io.replicator.feed;

import io.replicator.capture.CaptureSchema;
import io.replicator.core.sqlite.PollingBusyHandler;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.sqlite.SqliteWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Deletes changelog rows that are safely published (at or below the committed offset) and older than the
 * retention window, in small autocommit deletes with a short busy timeout: when the application is writing,
 * pruning yields and tries again later, so it never stalls the application. The newest row always stays,
 * which keeps {@code seq} increasing (it is not AUTOINCREMENT).
 * <p>Each delete is its own transaction of at most {@code chunk} rows (5,000 by default: about 0.5 ms of write
 * lock), and pruning runs once per prune interval (10 s), so it commits rarely: every commit of ours can fail an
 * application transaction that had already read and then wants to write (SQLITE_BUSY_SNAPSHOT in WAL mode, a
 * deferred transaction), so fewer, bounded commits beat many tiny ones, and each delete is made right after one
 * of the application's commits ({@link SqliteWriteLock#awaitCommit}), in the gap before its next transaction. In WAL mode the deletes are written
 * with {@code synchronous=NORMAL} (no fsync while holding the lock; a prune lost to a power cut is simply done
 * again, the rows being published already).
 * <p>The changelog has no timestamps (they would cost the application on every write), so age is known from
 * the feed's own observations: "position P was read at time T" means every row up to P is at least as old as T.
 */
final class ChangelogPruner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogPruner.class);
    private static final int BUSY_TIMEOUT_MS = 50;

    private final SqliteSource source;
    private final long retentionMs;
    private final int chunk;
    private final Deque<long[]> observed = new ArrayDeque<>(); // {timeMillis, seq}, increasing
    private Connection c;
    private boolean wal;
    private long pruned;

    ChangelogPruner(SqliteSource source, long retentionMs, int chunk) {
        this.source = source;
        this.retentionMs = retentionMs;
        this.chunk = chunk;
    }

    /** Notes that everything up to {@code seq} had been committed in SQLite by {@code atMillis}. */
    void observed(long atMillis, long seq) {
        long[] lastObs = observed.peekLast();
        if (lastObs == null || atMillis - lastObs[0] >= 1000 && seq > lastObs[1]) observed.addLast(new long[] {atMillis, seq}); // one sample a second is enough
    }

    /** Rows pruned so far by this pruner. */
    long pruned() {
        return pruned;
    }

    /**
     * Prunes up to the committed position, within retention. Returns rows deleted now.
     */
    long prune(long committed, long nowMillis) {
        long[] oldEnough = null;
        while (!observed.isEmpty() && observed.peekFirst()[0] <= nowMillis - retentionMs) oldEnough = observed.pollFirst();
        if (oldEnough == null) return 0;
        observed.addFirst(oldEnough);
        long upTo = Math.min(committed, oldEnough[1]);
        if (upTo <= 0) return 0;
        long deleted = 0;
        try {
            if (c == null) c = open();
            long low;
            long max;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM " + CaptureSchema.CHANGELOG)) {
                rs.next();
                low = rs.getLong(1);
                max = rs.getLong(2);
            }
            upTo = Math.min(upTo, max - 1); // the newest row stays
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + CaptureSchema.CHANGELOG + " WHERE seq >= ? AND seq <= ?")) {
                for (long from = low; from <= upTo; from += chunk) {
                    if (wal) SqliteWriteLock.awaitCommit(c); // in the gap after one of the application's commits
                    ps.setLong(1, from);
                    ps.setLong(2, Math.min(upTo, from + chunk - 1));
                    deleted += ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            LOG.info("changelog pruning of {} yielded to the application ({}); it is tried again later", source.path(), e.getMessage());
        }
        pruned += deleted;
        return deleted;
    }

    private Connection open() throws SQLException {
        Connection conn = new SQLiteConfig().createConnection("jdbc:sqlite:" + source.path());
        try {
            PollingBusyHandler.install(conn, Duration.ofMillis(BUSY_TIMEOUT_MS));
            wal = SqliteSource.journalMode(conn).equals("wal");
            if (wal) {
                try (Statement s = conn.createStatement()) {
                    s.execute("PRAGMA synchronous = NORMAL");
                }
            }
        } catch (SQLException e) {
            conn.close();
            throw e;
        }
        return conn;
    }

    @Override
    public void close() {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}

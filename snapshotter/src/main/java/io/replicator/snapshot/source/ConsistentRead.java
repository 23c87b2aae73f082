package io.replicator.snapshot.source;

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

    private ConsistentRead(List<Connection> readers, long fenceMillis) {
        this.readers = readers;
        this.fenceMillis = fenceMillis;
    }

    public static ConsistentRead open(SqliteSource source, int n, boolean wal) {
        List<Connection> readers = new ArrayList<>();
        long t0 = System.nanoTime();
        Connection fence = null;
        try {
            if (wal && n > 1) {
                fence = source.openWritable();
                try (Statement s = fence.createStatement()) {
                    s.execute("BEGIN IMMEDIATE");
                }
            }
            for (int i = 0; i < n; i++) {
                Connection c = source.openReadOnly();
                readers.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute("BEGIN");
                    s.executeQuery("SELECT count(*) FROM sqlite_schema").close(); // starts the read transaction now
                }
            }
            return new ConsistentRead(readers, (System.nanoTime() - t0) / 1_000_000);
        } catch (SQLException | RuntimeException e) {
            readers.forEach(ConsistentRead::closeQuietly);
            throw new ReplicatorException(ExitCode.RUNTIME, "cannot open a consistent read of " + source.path() + ": " + e.getMessage()
                    + " (a long application write transaction holds the lock? retry when it commits)", e);
        } finally {
            if (fence != null) {
                try (Statement s = fence.createStatement()) {
                    s.execute("ROLLBACK");
                } catch (SQLException ignored) {
                    // closing the connection below releases the lock anyway
                }
                closeQuietly(fence);
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

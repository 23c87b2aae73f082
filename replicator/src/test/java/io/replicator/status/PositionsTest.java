package io.replicator.status;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule every report's positions follow ({@link Positions}). Regression test for reports that showed
 * "captured 7956, applied 8576, lag 0" and "captured 10022, published 10026": positions read upstream first while the
 * pipeline moved.
 */
class PositionsTest {
    /**
     * A pipeline that moves by {@code step} changes every time any of its positions is read (the worst case: each read
     * takes as long as a batch), keeping applied ≤ published ≤ captured at every instant.
     */
    private static final class MovingPipeline implements Positions.Readers {
        long captured = 1000;
        long published = 990;
        long applied = 980;
        final long step;
        final List<String> order = new ArrayList<>();

        MovingPipeline(long step) {
            this.step = step;
        }

        private void move() {
            captured += step;
            published = captured - 10;
            applied = captured - 20;
        }

        @Override
        public long applied() {
            order.add("applied");
            move();
            return applied;
        }

        @Override
        public long appliedSourceTsMs() {
            return 1_000;
        }

        @Override
        public long published() {
            order.add("published");
            move();
            return published;
        }

        @Override
        public long captured() {
            order.add("captured");
            move();
            return captured;
        }
    }

    @Test
    void readDownstreamFirstKeepsCapturedAbovePublishedAboveApplied() {
        for (long step : new long[] {0, 1, 10, 600, 100_000}) {
            MovingPipeline pipe = new MovingPipeline(step);
            Positions p = Positions.read(pipe, () -> 5_000, 0);
            assertEquals(List.of("applied", "published", "captured"), pipe.order);
            assertTrue(p.ordered(), "step " + step + ": " + p);
            assertEquals(p.captured() - p.applied(), p.lagChanges());
        }
    }

    @Test
    void theOtherOrderIsWhatBrokeTheReports() {
        // the same moving pipeline read upstream first, as the reports did: applied ends up above captured
        MovingPipeline pipe = new MovingPipeline(600);
        long captured = pipe.captured();
        long published = pipe.published();
        long applied = pipe.applied();
        assertFalse(Positions.of(captured, published, applied, 0, 0).ordered(),
                "captured " + captured + ", published " + published + ", applied " + applied);
    }

    @Test
    void publishedIsRaisedToAppliedNeverCapturedRaised() {
        // the feed's offset file is flushed once a second: it may trail what the sink already applied
        Positions p = Positions.of(10_030, 10_000, 10_026, 0, 0);
        assertEquals(10_026, p.published());
        assertEquals(10_030, p.captured());
        assertTrue(p.ordered());
        assertEquals(4, p.unpublished());
        // a changelog that went backwards (the SQLite file replaced) is shown as it is, not hidden
        Positions back = Positions.of(5, 10, 8, 0, 0);
        assertEquals(5, back.captured());
        assertFalse(back.ordered());
        assertEquals(0, back.lagChanges());
    }

    @Test
    void lagInMillisecondsAndSeconds() {
        assertEquals(0L, Positions.of(100, 100, 100, 0, 9_000).lagMs(), "caught up: 0 even with no batch time");
        assertEquals(0.0, Positions.of(100, 100, 100, 0, 9_000).lagSeconds());
        Positions behind = Positions.of(120, 110, 100, 6_500, 9_000);
        assertEquals(2_500L, behind.lagMs());
        assertEquals(2.5, behind.lagSeconds());
        Positions unknown = Positions.of(120, 110, 100, 0, 9_000);
        assertNull(unknown.lagMs(), "behind, but no batch applied yet: unknown, not 0");
        assertTrue(Double.isNaN(unknown.lagSeconds()));
        assertNull(Positions.of(120, -1, -1, 0, 0).unpublished(), "published unknown");
    }

    @Test
    void oneWriteAfterAnIdleHourIsNotAnHourOfLag() {
        long hourAgo = 1_000, now = hourAgo + 3_600_000;
        // the last batch was read an hour ago; a reading 800 ms ago found PostgreSQL caught up
        Positions p = Positions.of(101, 101, 100, hourAgo, now, now - 800);
        assertEquals(800L, p.lagMs(), "the change is younger than the last caught-up reading");
        assertEquals(now - 800, p.caughtUpSince(), "behind now: the earlier caught-up time stands");
        // catching up a backlog: the batch time is the closer bound
        assertEquals(2_000L, Positions.of(5_000, 4_000, 3_000, now - 2_000, now, now - 60_000).lagMs());
        Positions caughtUp = Positions.of(100, 100, 100, hourAgo, now, now - 800);
        assertEquals(now, caughtUp.caughtUpSince());
        assertEquals(0L, caughtUp.lagMs());
    }
}

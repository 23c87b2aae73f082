package io.replicator.sink;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group/commit rule on event lists built in memory: no Kafka, no PostgreSQL. */
class CommitRuleTest {
    private static final int MANY = 20_000;

    private long offset;

    /** The next event of the topic: a row of {@code table} in batch {@code batch}, closing it when {@code last}. */
    private SinkEvent event(String table, long batch, boolean last) {
        long o = offset++;
        return new SinkEvent(o, table == null ? ChangeEventFormat.OP_MARKER : ChangeEventFormat.OP_UPDATE, table,
                Map.of("id", SqliteValue.integer(o)), Map.of("id", SqliteValue.integer(o)),
                new ChangeEventFormat.Source("db", "/x.db", table, batch, batch, last, 1_000 + batch), null, new byte[0]);
    }

    private static CommitRule.Apply apply(SinkEvent... events) {
        return new CommitRule.Apply(List.of(events));
    }

    private static CommitRule.Commit commit(SinkEvent at, long events) {
        return new CommitRule.Commit(at.offset(), at.source().batch(), at.source().tsMs(), events);
    }

    @Test
    void aCompleteBatchIsAppliedAndCommittedWithItsPosition() {
        SinkEvent a = event("t", 6, false);
        SinkEvent b = event("t", 6, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), List.of(a, b), MANY);
        assertEquals(List.of(apply(a, b), commit(b, 2)), p.steps());
        assertEquals(CommitRule.State.at(6, null), p.next());
        assertTrue(p.next().idle());
    }

    @Test
    void nothingPolledChangesNothing() {
        CommitRule.State s = CommitRule.State.at(5, null);
        CommitRule.Plan p = CommitRule.plan(s, List.of(), MANY);
        assertEquals(List.of(), p.steps());
        assertEquals(s, p.next());
    }

    /** Between groups, what is at or below the position is a duplicate or a batch the feed sent again: skipped. */
    @Test
    void eventsAtOrBelowThePositionAreSkippedBetweenGroups() {
        SinkEvent old = event("t", 4, true);
        SinkEvent same = event("t", 5, true);
        SinkEvent next = event("t", 7, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), List.of(old, same, next), MANY);
        assertEquals(List.of(apply(next), commit(next, 1)), p.steps());
    }

    /**
     * The hand-off of a sink that reads a topic from its beginning ({@code bin/replicator sink}, the Connect sink task):
     * the position starts at the snapshot's mark, and every batch at or below it, whole, is skipped; the first batch
     * after it is applied and committed in full.
     */
    @Test
    void readFromTheTopicsBeginningOnlyBatchesAfterTheSnapshotMarkAreApplied() {
        long mark = 10;
        SinkEvent early = event("t", 4, false);
        SinkEvent earlyEnd = event("t", 4, true);
        SinkEvent atMark = event("t", mark, false);
        SinkEvent atMarkEnd = event("t", mark, true);
        SinkEvent after = event("t", 13, false);
        SinkEvent afterEnd = event("t", 13, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(mark, null), List.of(early, earlyEnd, atMark, atMarkEnd, after, afterEnd), MANY);
        assertEquals(List.of(apply(after, afterEnd), commit(afterEnd, 2)), p.steps());
        assertEquals(CommitRule.State.at(13, null), p.next());

        // the same topic delivered one event per poll (as a Connect task may get it): the same outcome
        CommitRule.State s = CommitRule.State.at(mark, null);
        List<CommitRule.Step> steps = new ArrayList<>();
        for (SinkEvent e : List.of(early, earlyEnd, atMark, atMarkEnd, after, afterEnd)) {
            CommitRule.Plan one = CommitRule.plan(s, List.of(e), MANY);
            steps.addAll(one.steps());
            s = one.next();
        }
        assertEquals(List.of(apply(after, afterEnd), commit(afterEnd, 2)), steps);
        assertEquals(CommitRule.State.at(13, null), s);
    }

    /** Inside a group everything counts: a cut batch the feed sent again is applied again (the last change per key wins). */
    @Test
    void insideAGroupEveryEventCounts() {
        SinkEvent cut = event("t", 6, false);
        SinkEvent again = event("t", 6, false);
        SinkEvent end = event("t", 8, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), List.of(cut, again, end), MANY);
        assertEquals(List.of(apply(cut, again, end), commit(end, 3)), p.steps());
    }

    /** A group whose consistent point comes in a later poll is held (not applied, nothing open) until then. */
    @Test
    void aGroupSpanningPollsCommitsOnlyAtItsConsistentPoint() {
        SinkEvent a = event("t", 6, false);
        SinkEvent b = event("t", 7, false);
        CommitRule.Plan first = CommitRule.plan(CommitRule.State.at(5, null), List.of(a, b), MANY);
        assertEquals(List.of(), first.steps());
        assertTrue(first.next().inGroup());
        assertFalse(first.next().idle(), "no replay or hold inside a group");
        assertEquals(List.of(a, b), first.next().pending());
        SinkEvent c = event("t", 9, true);
        CommitRule.Plan second = CommitRule.plan(first.next(), List.of(c), MANY);
        assertEquals(List.of(apply(a, b, c), commit(c, 3)), second.steps());
        assertEquals(CommitRule.State.at(9, null), second.next());
    }

    /** Memory stays bounded: a long group goes to PostgreSQL in chunks of maxBatchEvents, in one transaction. */
    @Test
    void aLongGroupIsAppliedInChunksInsideOneTransaction() {
        List<SinkEvent> group = new ArrayList<>();
        for (int i = 0; i < 4; i++) group.add(event("t", 6 + i, false));
        group.add(event("t", 10, true));
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), group, 2);
        assertEquals(List.of(apply(group.get(0), group.get(1)), apply(group.get(2), group.get(3)), apply(group.get(4)), commit(group.get(4), 5)), p.steps());
        CommitRule.Plan cut = CommitRule.plan(CommitRule.State.at(5, null), group.subList(0, 3), 2);
        assertEquals(List.of(apply(group.get(0), group.get(1))), cut.steps());
        assertTrue(cut.next().open(), "applied, not committed: a transaction is open");
        assertEquals(List.of(group.get(2)), cut.next().pending());
        assertEquals(2, cut.next().sinceCommit());
    }

    /** Several consistent points in one poll: one commit, at the last. */
    @Test
    void itCommitsAtTheLastConsistentPointOfAPoll() {
        SinkEvent a = event("t", 6, true);
        SinkEvent b = event("t", 7, true);
        SinkEvent c = event("t", 8, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), List.of(a, b, c), MANY);
        assertEquals(List.of(apply(a), apply(b), apply(c), commit(c, 3)), p.steps());
    }

    /** Catching up: once maxBatchEvents were applied, it commits at the next consistent point rather than the poll's last. */
    @Test
    void itCommitsEarlierOnceMaxBatchEventsWereApplied() {
        SinkEvent a = event("t", 6, true);
        SinkEvent b = event("t", 7, true);
        SinkEvent c = event("t", 8, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), List.of(a, b, c), 2);
        assertEquals(List.of(apply(a), apply(b), commit(b, 2), apply(c), commit(c, 1)), p.steps());
    }

    /**
     * Regression: the commit waited for the poll's last consistent point even when that one was a duplicate being
     * skipped (a batch the feed sent again after a restart), so the last applied batch stayed uncommitted, and the
     * sink neither replayed nor held for verification, until more events came.
     */
    @Test
    void aBatchSentAgainAfterTheLastConsistentPointDoesNotDelayTheCommit() {
        SinkEvent six = event("t", 6, true);
        SinkEvent fiveAgain = event("t", 5, true);
        SinkEvent sixAgain = event("t", 6, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, null), List.of(six, fiveAgain, sixAgain), MANY);
        assertEquals(List.of(apply(six), commit(six, 1)), p.steps());
        assertTrue(p.next().idle());
    }

    /**
     * A replay of table a up to 10: only a's events and markers are applied, nothing commits before the limit (one
     * transaction) however many events it holds, then every table again.
     */
    @Test
    void aTableLimitedReplayAppliesThoseTablesInOneTransactionThenAllAgain() {
        CommitRule.ReplayLimit limit = new CommitRule.ReplayLimit(10, Set.of("a"));
        SinkEvent a6 = event("a", 6, false);
        SinkEvent b6 = event("b", 6, true);
        SinkEvent b8 = event("b", 8, true);
        SinkEvent marker = event(null, 9, true);
        SinkEvent a10 = event("a", 10, true);
        SinkEvent b11 = event("b", 11, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, limit), List.of(a6, b6, b8, marker, a10, b11), 1);
        assertEquals(List.of(apply(a6), apply(marker), apply(a10), new CommitRule.ReplayEnded(10, Set.of("a")), commit(a10, 3), apply(b11), commit(b11, 1)),
                p.steps(), "no commit inside the replay even past maxBatchEvents; b's events up to 10 are left out");
        CommitRule.Plan atTheEnd = CommitRule.plan(CommitRule.State.at(5, limit), List.of(a6, b6, b8, marker, a10, b11), MANY);
        assertEquals(List.of(apply(a6), apply(marker), apply(a10), new CommitRule.ReplayEnded(10, Set.of("a")), apply(b11), commit(b11, 4)),
                atTheEnd.steps(), "below maxBatchEvents: one commit, at the poll's last consistent point");
        assertEquals(CommitRule.State.at(11, null), p.next());
    }

    @Test
    void aTransactionLeftOpenByAReplayIsNotIdle() {
        CommitRule.ReplayLimit limit = new CommitRule.ReplayLimit(10, Set.of("a"));
        SinkEvent b6 = event("b", 6, true);
        CommitRule.Plan p = CommitRule.plan(CommitRule.State.at(5, limit), List.of(b6), MANY);
        assertEquals(List.of(), p.steps(), "nothing of table b to apply");
        assertTrue(p.next().open() && !p.next().idle(), "the replay's transaction is open: no new replay, no hold before it ends");
        assertEquals(limit, p.next().replay());
    }

    @Test
    void aBatchLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CommitRule.plan(CommitRule.State.at(0, null), List.of(), 0));
    }
}

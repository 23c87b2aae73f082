package io.replicator.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The sink's group and commit rule as a pure function: from what one poll delivered and where the sink stands, which
 * events go into the open transaction, and at which events it commits with its position. No Kafka, no PostgreSQL, no
 * clock: {@link ApplyLoop} carries out the {@link Step}s in order.
 *
 * <p>The rule, and the invariants it keeps:
 * <ol>
 * <li>Between groups, an event at or below the accepted position is a duplicate or a batch the feed sent again after
 *     a restart: skipped. Inside a group every event counts (the last change per key wins when applied).</li>
 * <li>A group ends at an event marked {@code last_in_batch}, a consistent point; the position only ever moves to such
 *     a point, inside the transaction of the rows it covers. So PostgreSQL only ever shows states SQLite had.</li>
 * <li>Events are handed over to be applied in chunks of at most {@code maxBatchEvents}, and at every consistent
 *     point: memory stays bounded however long a group (a backlog cut into many batches) is, and a long group is
 *     applied in pieces inside one transaction.</li>
 * <li>It commits at the last consistent point of a poll, or at an earlier one once {@code maxBatchEvents} events
 *     were applied since the last commit.</li>
 * <li>While a replay limited to some tables runs (up to {@link ReplayLimit#until}), only those tables' events and
 *     events of no table (markers) are applied, and nothing commits before the limit: the replayed tables are
 *     re-applied in one transaction, so PostgreSQL checks its foreign keys once, on the state SQLite had there.</li>
 * </ol>
 */
final class CommitRule {
    private CommitRule() {}

    /** A replay of some tables only: their changes are re-applied up to changelog position {@code until}. */
    record ReplayLimit(long until, Set<String> tables) {
        ReplayLimit {
            tables = Set.copyOf(tables);
        }
    }

    /**
     * Where the sink stands between two polls.
     *
     * @param accepted    the changelog position of the last consistent point taken into the transaction (or committed)
     * @param inGroup     true inside a group: past an event of a batch, before its consistent point
     * @param replay      the limit of a table-limited replay in progress, or null
     * @param pending     events of the open group not handed over yet (fewer than {@code maxBatchEvents})
     * @param sinceCommit events handed over since the last commit
     * @param open        true while a transaction is open: something was handed over, or a consistent point taken
     *                    into it, since the last commit
     */
    record State(long accepted, boolean inGroup, ReplayLimit replay, List<SinkEvent> pending, long sinceCommit, boolean open) {
        State {
            pending = List.copyOf(pending);
        }

        /** Right after reading the stored position: nothing open. */
        static State at(long accepted, ReplayLimit replay) {
            return new State(accepted, false, replay, List.of(), 0, false);
        }

        /** At a consistent point with no transaction open: where a replay may start or a verification hold. */
        boolean idle() {
            return !inGroup && !open;
        }
    }

    /** One thing for the apply loop to do, in order. */
    sealed interface Step permits Apply, ReplayEnded, Commit {}

    /** Apply these events (in order) inside the open transaction; begins it when none is open. */
    record Apply(List<SinkEvent> events) implements Step {
        Apply {
            events = List.copyOf(events);
        }
    }

    /** The table-limited replay reached its end at {@code seq}: from here on every table is applied again. */
    record ReplayEnded(long seq, Set<String> tables) implements Step {}

    /**
     * Write the position (the consistent point's Kafka offset, changelog position and source time, and the number
     * of events the transaction applied) and commit.
     */
    record Commit(long offset, long seq, long sourceTsMs, long events) implements Step {}

    /** The steps for one poll, and where the sink stands after them. */
    record Plan(List<Step> steps, State next) {}

    /** Decides what to do with {@code events}, one poll's worth in topic order, given {@code state}. */
    static Plan plan(State state, List<SinkEvent> events, int maxBatchEvents) {
        if (maxBatchEvents < 1) throw new IllegalArgumentException("maxBatchEvents must be 1 or more, got " + maxBatchEvents);
        int lastEnd = lastConsistentPoint(state, events);
        long accepted = state.accepted();
        boolean inGroup = state.inGroup();
        ReplayLimit replay = state.replay();
        List<SinkEvent> chunk = new ArrayList<>(state.pending());
        long sinceCommit = state.sinceCommit();
        boolean open = state.open();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            SinkEvent e = events.get(i);
            long batch = e.source().batch();
            if (!inGroup && batch <= accepted) continue;
            inGroup = true;
            boolean limited = replay != null && batch <= replay.until();
            if (!limited || e.table() == null || replay.tables().contains(e.table())) chunk.add(e);
            boolean end = e.source().lastInBatch();
            if (end || chunk.size() >= maxBatchEvents) {
                open = true;
                if (!chunk.isEmpty()) {
                    steps.add(new Apply(chunk));
                    sinceCommit += chunk.size();
                    chunk.clear();
                }
            }
            if (!end) continue;
            inGroup = false;
            accepted = batch;
            if (replay != null && accepted >= replay.until()) {
                steps.add(new ReplayEnded(accepted, replay.tables()));
                replay = null;
                limited = false;
            }
            if (!limited && (i == lastEnd || sinceCommit >= maxBatchEvents)) {
                steps.add(new Commit(e.offset(), accepted, e.source().tsMs(), sinceCommit));
                sinceCommit = 0;
                open = false;
            }
        }
        return new Plan(steps, new State(accepted, inGroup, replay, chunk, sinceCommit, open));
    }

    /**
     * The index of the last consistent point of the poll that is taken (not skipped by rule 1), or -1. A duplicate
     * consistent point after it (a batch the feed sent again) must not keep the one before it from committing.
     */
    private static int lastConsistentPoint(State state, List<SinkEvent> events) {
        long accepted = state.accepted();
        boolean inGroup = state.inGroup();
        int last = -1;
        for (int i = 0; i < events.size(); i++) {
            SinkEvent e = events.get(i);
            if (!inGroup && e.source().batch() <= accepted) continue;
            inGroup = !e.source().lastInBatch();
            if (!inGroup) {
                accepted = e.source().batch();
                last = i;
            }
        }
        return last;
    }
}

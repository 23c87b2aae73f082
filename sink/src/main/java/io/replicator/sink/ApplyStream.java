package io.replicator.sink;

import io.replicator.state.SinkState;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The apply half of a sink, shared by the sink's own consumer loop ({@link ApplyLoop}) and the Kafka Connect sink task
 * ({@code io.replicator.sink.connect.PostgresSinkTask}): events in topic order in, transactions with their position
 * out. It carries out what {@link CommitRule} plans: applies through {@link BatchApplier}, and at a commit writes the
 * position ({@link SinkState#advance}) in the same transaction as the rows it covers, then commits.
 *
 * <p>Whoever feeds it must hand over the topic's events in order, starting right after the stored position it was
 * {@link #startAt started at}; after {@link #abort} (an error, a stop) nothing open remains, and the feeder reads the
 * stored position again and starts over from there. Not thread-safe: one per sink thread and schema.
 */
final class ApplyStream {
    private final String schema;
    private final TargetCatalog catalog;
    private final BatchApplier applier;
    private final SinkProgress progress;
    private final int maxBatchEvents;
    private CommitRule.State at = CommitRule.State.at(-1, null);
    private boolean inTx;
    private long txStart;

    ApplyStream(String schema, int maxBatchEvents, SinkProgress progress) {
        this.schema = schema;
        this.catalog = new TargetCatalog(schema);
        this.applier = new BatchApplier(catalog);
        this.progress = progress;
        this.maxBatchEvents = maxBatchEvents;
    }

    /** Starts over right after the stored changelog position {@code seq}, nothing open; {@code replay} as {@link CommitRule.State#at}. */
    void startAt(long seq, CommitRule.ReplayLimit replay) {
        at = CommitRule.State.at(seq, replay);
        inTx = false;
        progress.positionRead(seq);
    }

    /** True at a consistent point with no transaction open (a replay, a hold or a hand-over may happen here). */
    boolean idle() {
        return at.idle();
    }

    /** The changelog position of the last consistent point taken (committed when {@link #idle}). */
    long accepted() {
        return at.accepted();
    }

    /**
     * Applies {@code events} (the next ones of the topic, in order) on {@code c} as the commit rule says, committing
     * at consistent points; {@code onCommit} hears every commit after it happened, {@code onReplayEnded} the end of a
     * table-limited replay. On an exception the transaction stays open: the caller calls {@link #abort}.
     */
    void apply(Connection c, List<SinkEvent> events, Consumer<CommitRule.Commit> onCommit, Consumer<CommitRule.ReplayEnded> onReplayEnded)
            throws SQLException {
        CommitRule.Plan plan = CommitRule.plan(at, events, maxBatchEvents);
        for (CommitRule.Step step : plan.steps()) {
            if (!inTx && !(step instanceof CommitRule.ReplayEnded)) {
                BatchApplier.begin(c);
                inTx = true;
                txStart = System.nanoTime();
            }
            if (step instanceof CommitRule.Apply a) {
                applier.apply(c, a.events());
            } else if (step instanceof CommitRule.ReplayEnded e) {
                onReplayEnded.accept(e);
            } else if (step instanceof CommitRule.Commit commit) {
                SinkState.advance(c, schema, commit.offset(), commit.seq(), commit.sourceTsMs(), commit.events());
                c.commit();
                inTx = false;
                progress.committed(commit, System.nanoTime() - txStart);
                onCommit.accept(commit);
            }
        }
        at = plan.next();
    }

    /** Forgets what was not committed, and what the catalog learned inside it; the caller rolls the connection back. */
    void abort() {
        catalog.clear();
        inTx = false;
    }
}

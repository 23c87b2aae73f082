package io.replicator.sink;

import io.replicator.state.SinkState;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * What the sink has done, for {@code status}, {@code /metrics} and the lag: written by the sink's thread at each
 * commit, read by any. Invariant: {@link #appliedSeq} is a position PostgreSQL has committed (or read back from
 * {@link SinkState} at start), never one inside an open transaction.
 */
final class SinkProgress {
    private final AtomicLong appliedSeq = new AtomicLong(-1);
    private final AtomicLong appliedEvents = new AtomicLong();
    private final AtomicLong lastSourceTsMs = new AtomicLong();
    private final AtomicLong appliedOffset = new AtomicLong(-1);
    private volatile LongConsumer commitListener = n -> { };

    /** The position stored in {@link SinkState}: read when the sink (re)starts reading, or set back by a replay. */
    void positionRead(long seq) {
        appliedSeq.set(seq);
    }

    /** The stored position and when the feed read its batch (0: unknown), read back at (re)start. */
    void positionRead(long seq, long sourceTsMs) {
        if (sourceTsMs > 0) lastSourceTsMs.set(sourceTsMs);
        appliedSeq.set(seq);
    }

    /** A transaction committed; {@code nanos} from its begin to its commit. The listener sees the new position. */
    void committed(CommitRule.Commit c, long nanos) {
        lastSourceTsMs.set(c.sourceTsMs());
        appliedEvents.addAndGet(c.events());
        appliedOffset.set(c.offset());
        appliedSeq.set(c.seq());
        commitListener.accept(nanos);
    }

    void onCommit(LongConsumer listener) {
        this.commitListener = listener;
    }

    long appliedSeq() {
        return appliedSeq.get();
    }

    long appliedEvents() {
        return appliedEvents.get();
    }

    /** The Kafka offset of the last committed consistent point (-1 before the first commit of this sink). */
    long appliedOffset() {
        return appliedOffset.get();
    }

    long lastSourceTsMs() {
        return lastSourceTsMs.get();
    }
}

package io.replicator.run;

import io.replicator.core.ReplicatorException;
import io.replicator.sink.HandOff;
import io.replicator.sink.OrphanWatch;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.stream.TopicEnd;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * {@code sink}: the sink of {@code run} alone, applying a topic that a feed elsewhere produces (the source connector on
 * a Kafka Connect cluster, {@code stream} on the application's machine) to PostgreSQL until stopped. It never opens the
 * SQLite file: the hand-off is the finished snapshot's changelog mark stored in PostgreSQL ({@link HandOff}).
 *
 * <p>First start: the position is set at the mark with no offset, so the topic is read from its beginning and every
 * batch at or below the mark is skipped by changelog position. Every later start resumes from the stored position
 * ({@link HandOff#prepare}). Everything else is the same {@link Sink} as in {@code run}: one transaction per
 * batch with its position, the topic identity check, retries, the dead-letter topic, the schema lock.
 */
public final class SinkOnly {
    private final SinkSettings settings;
    private final Duration statusInterval;
    private final Duration orphanCheckInterval;

    public SinkOnly(SinkSettings settings, Duration statusInterval, Duration orphanCheckInterval) {
        if (statusInterval.isNegative() || statusInterval.isZero()) throw ReplicatorException.config("--status-interval must be more than 0");
        if (orphanCheckInterval.isNegative() || orphanCheckInterval.isZero()) throw ReplicatorException.config("--orphan-check-interval must be more than 0");
        this.settings = settings;
        this.statusInterval = statusInterval;
        this.orphanCheckInterval = orphanCheckInterval;
    }

    /** Runs until {@code stop} is asked for, the cutover is recorded, or the sink fails (thrown). */
    public void run(StopSignal stop) throws InterruptedException {
        String schema = settings.schema();
        if (StartState.cutOver(settings.target(), schema)) {
            System.err.println("schema " + schema + " was cut over (see replicator.cutover): there is nothing left to apply");
            return;
        }
        long handOff = HandOff.prepare(settings.target(), schema, settings.topic());
        try (Sink sink = Sink.start(settings);
             OrphanWatch orphans = OrphanWatch.start(settings.target(), schema, orphanCheckInterval);
             TopicEnd end = new TopicEnd(settings.bootstrap(), settings.topic())) {
            System.err.println("applying topic " + settings.topic() + " on Kafka at " + settings.bootstrap() + " -> " + settings.target().redacted()
                    + " schema " + schema + ", after changelog seq " + handOff + " (the snapshot's hand-off) or the stored position if later; Ctrl-C stops");
            long nextStatus = System.nanoTime() + statusInterval.toNanos();
            while (!stop.await(Duration.ofMillis(100)) && !sink.await(Duration.ZERO)) {
                if (System.nanoTime() < nextStatus) continue;
                nextStatus = System.nanoTime() + statusInterval.toNanos();
                if (StartState.cutOverSince(settings.target(), schema)) {
                    System.err.println("the cutover is recorded as done: PostgreSQL has every change; stopping");
                    break;
                }
                System.err.println(statusLine(sink, end.offset()));
            }
            if (sink.failure() != null) throw sink.failure();
            System.err.println("stopped at changelog position " + sink.appliedSeq() + " after " + sink.appliedEvents() + " event(s)");
        }
    }

    /**
     * The topic's end against the sink's committed offset: records not applied yet (markers and events a later batch
     * repeats count too), and how long ago the feed read the last applied batch while any are waiting.
     */
    private static String statusLine(Sink sink, OptionalLong end) {
        long applied = sink.appliedSeq();
        String behind;
        if (end.isEmpty()) {
            behind = "topic end unknown (Kafka did not answer)";
        } else if (sink.appliedOffset() < 0) {
            behind = "topic end at offset " + end.getAsLong() + ", nothing applied by this process yet";
        } else {
            long records = Math.max(0, end.getAsLong() - 1 - sink.appliedOffset());
            long lagMs = records == 0 || sink.lastSourceTsMs() == 0 ? 0 : Math.max(0, System.currentTimeMillis() - sink.lastSourceTsMs());
            behind = "lag " + records + " record(s), " + lagMs + " ms";
        }
        return String.format("applied %d; %s; %d event(s) applied, %d dead-lettered", applied, behind, sink.appliedEvents(), sink.deadLettered());
    }
}

package io.replicator.status;

import io.replicator.capture.CaptureStatus;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.sink.Sink;
import io.replicator.stream.ChangeFeed;

/**
 * The positions of the feed and the sink running in this process, read as one {@link Positions} (the order of its
 * rule), together with the capture status read last. A reading costs one short SQLite read transaction, so callers
 * share one: {@link #current} reads again only when the last reading is older than they accept. Thread-safe; one
 * reading at a time. It remembers when a reading last found PostgreSQL caught up, which bounds the lag in time
 * ({@link Positions#lagMs}); the status page's sampler reads once a second, so that bound is within about a second.
 */
public final class LivePositions {
    /** A reading and the capture status it took its captured position from. */
    public record Reading(Positions positions, CaptureStatus capture) {}

    private final SqliteSource source;
    private final ChangeFeed feed;
    private final Sink sink;
    private Reading last;
    private long lastNanos;
    private long caughtUpAtMs;

    public LivePositions(SqliteSource source, ChangeFeed feed, Sink sink) {
        this.source = source;
        this.feed = feed;
        this.sink = sink;
    }

    /** A reading no older than {@code maxAgeMs} (0: a new one). */
    public synchronized Reading current(long maxAgeMs) {
        if (last == null || System.nanoTime() - lastNanos > maxAgeMs * 1_000_000) {
            CaptureStatus[] cap = new CaptureStatus[1];
            Positions p = Positions.read(new Positions.Readers() {
                @Override
                public long applied() {
                    return sink.appliedSeq();
                }

                @Override
                public long appliedSourceTsMs() {
                    return sink.lastSourceTsMs();
                }

                @Override
                public long published() {
                    // before its first acknowledgement the feed is at the snapshot's hand-off, where it started
                    return Math.max(feed.publishedSeq(), feed.settings().startSeq());
                }

                @Override
                public long captured() {
                    cap[0] = CaptureStatus.read(source);
                    return cap[0].capturedSeq();
                }
            }, System::currentTimeMillis, caughtUpAtMs);
            caughtUpAtMs = p.caughtUpSince();
            last = new Reading(p, cap[0]);
            lastNanos = System.nanoTime();
        }
        return last;
    }

    /** The last reading, without reading; null before the first. */
    public synchronized Reading last() {
        return last;
    }
}

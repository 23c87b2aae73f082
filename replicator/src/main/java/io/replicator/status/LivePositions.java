package io.replicator.status;

import io.replicator.capture.CaptureStatus;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.sink.Sink;
import io.replicator.stream.ChangeFeed;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The positions of the feed and the sink running in this process, read as one {@link Positions} (the order of its
 * rule), together with the capture status read last. A reading costs one short SQLite read transaction, so callers
 * share one: {@link #current} reads again only when the last reading is older than they accept, and a caller that
 * finds another one reading takes the last reading rather than wait, so a SQLite read slowed by a busy machine holds
 * up no request. Thread-safe; one reading at a time. It remembers when a reading last
 * found PostgreSQL caught up, which bounds the lag in time ({@link Positions#lagMs}); the status page's sampler reads
 * once a second, so that bound is within about a second.
 */
public final class LivePositions {
    /** A reading and the capture status it took its captured position from. */
    public record Reading(Positions positions, CaptureStatus capture) {}

    private final SqliteSource source;
    private final ChangeFeed feed;
    private final Sink sink;
    private final ReentrantLock reading = new ReentrantLock();
    private volatile Reading last;
    private volatile long lastNanos;
    private long caughtUpAtMs; // guarded by reading

    public LivePositions(SqliteSource source, ChangeFeed feed, Sink sink) {
        this.source = source;
        this.feed = feed;
        this.sink = sink;
    }

    /**
     * A reading no older than {@code maxAgeMs}, or, while another caller is taking one, the last one. With
     * {@code maxAgeMs} 0 always a new one.
     */
    public Reading current(long maxAgeMs) {
        Reading r = last;
        if (r != null && fresh(maxAgeMs)) return r;
        if (r != null && maxAgeMs > 0) {
            if (!reading.tryLock()) return r; // someone reads now: share the last one
        } else {
            reading.lock();
        }
        try {
            if (last != null && maxAgeMs > 0 && fresh(maxAgeMs)) return last;
            last = read();
            lastNanos = System.nanoTime();
            return last;
        } finally {
            reading.unlock();
        }
    }

    private boolean fresh(long maxAgeMs) {
        return System.nanoTime() - lastNanos <= maxAgeMs * 1_000_000;
    }

    private Reading read() {
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
        return new Reading(p, cap[0]);
    }

    /** The last reading, without reading; null before the first. */
    public Reading last() {
        return last;
    }
}

package io.replicator.control;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A value that is costly to build and shared for a while: {@link #get} builds it again only when it is older than
 * the time to live, one build at a time; a caller that finds a build under way takes the previous value instead of
 * waiting (only the very first callers wait, when there is none yet). Under many polling clients each build is then
 * paid once per time to live, and a build slowed by a busy machine holds up only the caller making it.
 */
final class Recent<T> {
    private final long ttlNanos;
    private final Supplier<T> build;
    private final ReentrantLock building = new ReentrantLock();
    private volatile T value;
    private volatile long builtAt;

    Recent(long ttlMs, Supplier<T> build) {
        this.ttlNanos = ttlMs * 1_000_000;
        this.build = build;
    }

    T get() {
        T v = value;
        if (v != null && System.nanoTime() - builtAt <= ttlNanos) return v;
        if (v != null) {
            if (!building.tryLock()) return v;
        } else {
            building.lock();
        }
        try {
            if (value != null && System.nanoTime() - builtAt <= ttlNanos) return value;
            T fresh = build.get();
            value = fresh;
            builtAt = System.nanoTime();
            return fresh;
        } finally {
            building.unlock();
        }
    }

    /** The next {@link #get} builds afresh (and waits for it). */
    void invalidate() {
        building.lock();
        try {
            value = null;
        } finally {
            building.unlock();
        }
    }
}

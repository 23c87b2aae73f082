package io.replicator.metrics;

import io.replicator.status.Positions;

import java.util.ArrayList;
import java.util.List;

/**
 * The lag over the last {@value #CAPACITY} samples (15 minutes at one a second), for the status page's chart: a ring
 * buffer that overwrites its oldest sample, so memory is fixed (a few tens of kB) however long the process runs.
 * Thread-safe: one writer (the sampler), any number of readers, each of which gets a copy in time order.
 */
public final class LagHistory {
    /** 15 minutes of one sample a second. */
    public static final int CAPACITY = 900;

    /** One sample: when, the lag in changes, the lag in seconds (NaN while unknown), and the applied position. */
    public record Sample(long atMs, long lagChanges, double lagSeconds, long appliedSeq) {}

    private final Sample[] ring;
    private int next;
    private int size;

    public LagHistory() {
        this(CAPACITY);
    }

    LagHistory(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be 1 or more, got " + capacity);
        ring = new Sample[capacity];
    }

    public synchronized void add(Positions p) {
        ring[next] = new Sample(p.atMs(), p.lagChanges(), p.lagSeconds(), p.applied());
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** The samples, oldest first. */
    public synchronized List<Sample> samples() {
        List<Sample> out = new ArrayList<>(size);
        int first = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) out.add(ring[(first + i) % ring.length]);
        return out;
    }
}

package io.replicator.bench;

import io.replicator.sink.Sink;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Samples the replicator's lag every period while a {@link RateWriter} writes: SQLite's position (the newest
 * changelog seq, read through its own connection) against the sink's (the seq PostgreSQL reflects).
 * <ul>
 * <li>lag in changes: captured seq - applied seq;</li>
 * <li>lag in ms: the age of the oldest transaction committed in SQLite and not yet applied (0 when none), from
 * the writer's commit times and {@link RateWriter#CHANGES_PER_TX}.</li>
 * </ul>
 */
final class LagProbe implements AutoCloseable {
    record Sample(long atNanos, long captured, long applied, long lagChanges, double lagMs) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    LagProbe(Path db, Sink sink, RateWriter writer, long periodMs) {
        thread = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 PreparedStatement q = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM _replicator_changelog")) {
                long next = System.nanoTime();
                while (!stop.get()) {
                    long captured;
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        captured = rs.getLong(1);
                    }
                    long applied = Math.max(0, sink.appliedSeq());
                    long now = System.nanoTime();
                    double lagMs = 0;
                    if (applied < captured) {
                        long oldest = applied / RateWriter.CHANGES_PER_TX + 1;
                        if (oldest <= writer.committed()) lagMs = Math.max(0, (now - writer.committedAt(oldest)) / 1e6);
                    }
                    synchronized (samples) {
                        samples.add(new Sample(now, captured, applied, Math.max(0, captured - applied), lagMs));
                    }
                    next += periodMs * 1_000_000L;
                    long wait = next - System.nanoTime();
                    if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, "lag-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** The samples so far, oldest first. */
    List<Sample> samples() throws Exception {
        check();
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /** The newest sample, or null before the first. */
    Sample last() throws Exception {
        check();
        synchronized (samples) {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }
    }

    private void check() throws Exception {
        Exception e = failure.get();
        if (e != null) throw new IllegalStateException("the lag probe failed", e);
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        thread.join(5000);
        check();
    }
}

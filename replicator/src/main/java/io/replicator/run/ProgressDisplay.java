package io.replicator.run;

import io.replicator.snapshot.load.SnapshotProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.concurrent.atomic.AtomicReference;

/** A progress bar with rows/s and ETA on a terminal (stderr); nothing when not on a terminal or with --json. */
public final class ProgressDisplay implements SnapshotProgress, AutoCloseable {
    private final boolean enabled;
    private final String task;
    private final AtomicReference<ProgressBar> bar = new AtomicReference<>();

    private ProgressDisplay(boolean enabled, String task) {
        this.enabled = enabled;
        this.task = task;
    }

    public static ProgressDisplay create(boolean wanted, String task) {
        return new ProgressDisplay(wanted && System.console() != null, task);
    }

    @Override
    public void started(long totalRows, int tables) {
        if (!enabled) return;
        bar.set(new ProgressBarBuilder().setTaskName(task).setInitialMax(totalRows).setUnit(" rows", 1).showSpeed()
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build());
    }

    @Override
    public void rows(long n) {
        ProgressBar b = bar.get();
        if (b != null) b.stepBy(n);
    }

    @Override
    public void finished() {
        close();
    }

    @Override
    public void close() {
        ProgressBar b = bar.getAndSet(null);
        if (b != null) b.close();
    }
}

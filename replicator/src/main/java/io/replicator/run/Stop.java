package io.replicator.run;

import java.time.Duration;

/** A request to stop a running replication: Ctrl-C for the process ({@link StopSignal}), or one store leaving a fleet. */
public interface Stop {
    /** Waits up to {@code d} for a stop request; true if one came. */
    boolean await(Duration d) throws InterruptedException;
}

package io.replicator.run;

/**
 * When a store may take its snapshot: at once for a single store; in a fleet, after every store before it in
 * priority order has finished its snapshot step, so P0 stores are copied (and stream) first.
 */
public interface SnapshotTurn {
    SnapshotTurn NOW = new SnapshotTurn() {
        @Override
        public void await() {}

        @Override
        public void done() {}
    };

    /** Blocks until this store's snapshot may start. */
    void await() throws InterruptedException;

    /** The snapshot step ended (taken, not needed, or failed): the next store may go. */
    void done();
}

package io.replicator.fleet;

import io.replicator.run.SnapshotTurn;

import java.util.HashSet;
import java.util.Set;

/**
 * Hands out snapshot turns one store at a time, in the order the stores were enrolled (the fleet enrolls them by
 * priority). A store whose snapshot is already done passes its turn on at once, so the order costs a running fleet
 * nothing; a new snapshot holds the stores after it back until it ends, so P0 stores are copied, and stream, first.
 * A store added to a running fleet takes the next turn. A turn given back before it came (the store failed or
 * left the fleet first) is skipped when it comes.
 */
final class SnapshotOrder {
    private final Set<Long> ended = new HashSet<>();
    private long issued;
    private long current;

    /** The next turn in line. */
    synchronized SnapshotTurn enroll() {
        long mine = issued++;
        return new SnapshotTurn() {
            @Override
            public void await() throws InterruptedException {
                synchronized (SnapshotOrder.this) {
                    while (current < mine) SnapshotOrder.this.wait();
                }
            }

            @Override
            public void done() {
                synchronized (SnapshotOrder.this) {
                    ended.add(mine);
                    while (ended.remove(current)) current++;
                    SnapshotOrder.this.notifyAll();
                }
            }
        };
    }
}

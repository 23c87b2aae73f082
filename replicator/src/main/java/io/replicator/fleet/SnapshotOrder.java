package io.replicator.fleet;

import io.replicator.run.SnapshotTurn;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands out snapshot turns in the order the stores were enrolled (the fleet enrolls them by priority): up to
 * {@code atOnce} stores of one priority copy at the same time, and no store starts before every store enrolled before
 * it has started and every one of another priority before it has ended, so P0 stores are copied, and stream, first.
 * A store whose snapshot is already done passes its turn on at once, so the order costs a running fleet nothing. A
 * store added to a running fleet takes the next turn. A turn given back before it came (the store failed or left the
 * fleet first) is skipped when it comes. Giving a turn back twice is harmless.
 */
final class SnapshotOrder {
    private final int atOnce;
    private final List<Turn> turns = new ArrayList<>();
    private int running;

    /** @param atOnce how many snapshots of one priority may run at the same time (1: one after another) */
    SnapshotOrder(int atOnce) {
        if (atOnce < 1) throw new IllegalArgumentException("atOnce must be 1 or more, got " + atOnce);
        this.atOnce = atOnce;
    }

    /** The next turn in line, for a store of {@code priority}. */
    synchronized SnapshotTurn enroll(Priority priority) {
        Turn t = new Turn(priority);
        turns.add(t);
        return t;
    }

    private boolean mayStart(Turn t) {
        if (running >= atOnce) return false;
        for (Turn x : turns) {
            if (x == t) return true;
            if (!x.started || x.priority != t.priority && !x.ended) return false;
        }
        return true;
    }

    private final class Turn implements SnapshotTurn {
        private final Priority priority;
        private boolean started;
        private boolean ended;

        Turn(Priority priority) {
            this.priority = priority;
        }

        @Override
        public void await() throws InterruptedException {
            synchronized (SnapshotOrder.this) {
                while (!ended && !mayStart(this)) SnapshotOrder.this.wait();
                if (ended) return;
                started = true;
                running++;
            }
        }

        @Override
        public void done() {
            synchronized (SnapshotOrder.this) {
                if (ended) return;
                if (started) running--;
                started = true;
                ended = true;
                SnapshotOrder.this.notifyAll();
            }
        }
    }
}

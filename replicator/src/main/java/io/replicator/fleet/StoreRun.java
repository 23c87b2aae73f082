package io.replicator.fleet;

import io.replicator.control.FleetRoster;
import io.replicator.control.LiveStores;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.run.FleetShare;
import io.replicator.run.KafkaStart;
import io.replicator.run.Replication;
import io.replicator.run.RunSettings;
import io.replicator.run.SnapshotTurn;
import io.replicator.run.Stop;
import io.replicator.status.StatusReport;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One store of a fleet on its own thread: the main job of {@code run} for that file, on the fleet's Kafka. Whatever
 * ends it — a value PostgreSQL cannot take, a lost file, the cutover, the store leaving the fleet — ends this store
 * only; the outcome is kept for the fleet's summary and exit code, and shown by the fleet's control plane
 * ({@link #listed}), where the store is registered while it streams.
 */
final class StoreRun {
    enum Outcome { RUNNING, STOPPED, CUT_OVER, FAILED }

    private final Store store;
    private final RunSettings settings;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Outcome outcome = Outcome.RUNNING;
    private volatile ReplicatorException failure;

    private StoreRun(Store store, RunSettings settings, KafkaStart kafka, SnapshotTurn turn, FleetShare share, LiveStores live) {
        this.store = store;
        this.settings = settings;
        this.thread = new Thread(() -> body(kafka, turn, share, live), "store-" + store.name());
    }

    /** @param live where the store registers with the fleet's control plane while it streams */
    static StoreRun start(Store store, RunSettings settings, KafkaStart kafka, SnapshotTurn turn, FleetShare share, LiveStores live) {
        StoreRun r = new StoreRun(store, settings, kafka, turn, share, live);
        r.thread.start();
        return r;
    }

    private void body(KafkaStart kafka, SnapshotTurn turn, FleetShare share, LiveStores live) {
        Stop mine = d -> stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
        Replication r = new Replication(settings, store.name(), live);
        try {
            boolean cutOver;
            share.startChecks().acquire(); // a hundred stores starting at once must not each open a connection at once
            try {
                cutOver = r.cutOver();
            } finally {
                share.startChecks().release();
            }
            if (cutOver) {
                outcome = Outcome.CUT_OVER;
                return;
            }
            r.run(mine, kafka, turn, share);
            outcome = stop.getCount() == 0 ? Outcome.STOPPED : Outcome.CUT_OVER;
        } catch (ReplicatorException e) {
            fail(e);
        } catch (InterruptedException e) {
            outcome = Outcome.STOPPED;
        } catch (RuntimeException e) {
            fail(new ReplicatorException(ExitCode.RUNTIME, "unexpected failure: " + e, e));
        } finally {
            turn.done();
        }
    }

    private void fail(ReplicatorException e) {
        failure = e;
        outcome = Outcome.FAILED;
        System.err.println("[" + store.name() + "] stopped (exit " + e.exitCode().code + "): " + e.getMessage()
                + "\n[" + store.name() + "] the other stores go on; fix the cause, then touch the stores file (text unchanged) or restart to start this store again");
    }

    /** The store as the control plane shows it; its stored status is read only when asked for. */
    FleetRoster.Listed listed() {
        Outcome o = outcome; // before failure: fail() sets failure first, so a FAILED outcome always comes with its failure
        ReplicatorException f = failure;
        return new FleetRoster.Listed(store.name(), store.schema(), store.priority().name(), o.name(), f == null ? null : f.getMessage(),
                f == null ? null : f.exitCode().code,
                () -> StatusReport.build(settings.source(), settings.feed().stateDir(), settings.target(), settings.schema()));
    }

    Store store() {
        return store;
    }

    Outcome outcome() {
        return outcome;
    }

    ReplicatorException failure() {
        return failure;
    }

    boolean alive() {
        return thread.isAlive();
    }

    /** Asks the store to stop; its sink finishes the transaction it is in. */
    void requestStop() {
        stop.countDown();
    }

    boolean join(Duration d) throws InterruptedException {
        thread.join(d.toMillis());
        return !thread.isAlive();
    }
}

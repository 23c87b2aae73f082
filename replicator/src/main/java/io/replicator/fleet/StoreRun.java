package io.replicator.fleet;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.run.FleetShare;
import io.replicator.run.KafkaStart;
import io.replicator.run.Replication;
import io.replicator.run.RunSettings;
import io.replicator.run.SnapshotTurn;
import io.replicator.run.Stop;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One store of a fleet on its own thread: the main job of {@code run} for that file, on the fleet's Kafka. Whatever
 * ends it — a value PostgreSQL cannot take, a lost file, the cutover, the store leaving the fleet — ends this store
 * only; the outcome is kept for the fleet's summary and exit code.
 */
final class StoreRun {
    enum Outcome { RUNNING, STOPPED, CUT_OVER, FAILED }

    private final Store store;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Outcome outcome = Outcome.RUNNING;
    private volatile ReplicatorException failure;

    private StoreRun(Store store, RunSettings settings, KafkaStart kafka, SnapshotTurn turn, FleetShare share) {
        this.store = store;
        this.thread = new Thread(() -> body(settings, kafka, turn, share), "store-" + store.name());
    }

    static StoreRun start(Store store, RunSettings settings, KafkaStart kafka, SnapshotTurn turn, FleetShare share) {
        StoreRun r = new StoreRun(store, settings, kafka, turn, share);
        r.thread.start();
        return r;
    }

    private void body(RunSettings settings, KafkaStart kafka, SnapshotTurn turn, FleetShare share) {
        Stop mine = d -> stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
        Replication r = new Replication(settings, store.name());
        try {
            if (r.cutOver()) {
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

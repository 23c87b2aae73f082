package io.replicator.sink;

import io.replicator.state.Control;

import io.replicator.state.SinkState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.BooleanSupplier;

/**
 * Online verification asks the sink to stop applying at a consistent point ({@link SinkState#requestHold}); while it
 * holds, PostgreSQL shows exactly SQLite's state at the position the sink writes into {@code held_seq}, which the
 * verification compares against. Asked only between transactions, so a hold never splits one; a verification that
 * died does not hold replication longer than {@value #LIMIT_MS} ms.
 */
final class VerificationHold {
    private static final Logger LOG = LoggerFactory.getLogger(VerificationHold.class);

    /** How often a sink between transactions asks whether a hold is wanted (one round trip). */
    static final long CHECK_MS = 100;
    /** The longest hold: a verification that died must not stop replication for good. */
    static final long LIMIT_MS = 600_000;
    /** How often a holding sink looks whether it may go on. */
    private static final long WAIT_MS = 20;

    private long checkedAt;

    /** True when more than {@value #CHECK_MS} ms passed since the last check; then counts this as a check. */
    boolean due(long nowMs) {
        if (nowMs - checkedAt <= CHECK_MS) return false;
        checkedAt = nowMs;
        return true;
    }

    /** At a consistent point, nothing open: if asked, applies nothing until let go, saying where it holds (commits). */
    void holdIfAsked(Connection c, String schema, long appliedSeq, BooleanSupplier stopping) throws SQLException {
        if (!Control.holdRequested(c, schema)) {
            c.commit();
            return;
        }
        Control.setHeld(c, schema, appliedSeq);
        c.commit();
        LOG.info("holding at changelog position {} for verification", appliedSeq);
        long deadline = System.currentTimeMillis() + LIMIT_MS;
        while (!stopping.getAsBoolean() && System.currentTimeMillis() < deadline && Control.holdRequested(c, schema)) {
            c.commit();
            try {
                Thread.sleep(WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Control.setHeld(c, schema, null);
        c.commit();
    }

    /**
     * The same for a sink of a fleet: the request is read from {@link SharedTarget#holdAsked} (one query for all stores)
     * and no connection of the shared pool is kept while holding, so a store held for verification does not take a
     * connection from the stores that go on.
     */
    void holdIfAsked(TargetPool pool, SharedTarget shared, String schema, long appliedSeq, BooleanSupplier stopping) throws SQLException {
        if (!shared.holdAsked(schema)) return;
        Connection c = pool.current();
        if (!Control.holdRequested(c, schema)) { // let go since the shared read
            c.commit();
            return;
        }
        Control.setHeld(c, schema, appliedSeq);
        c.commit();
        pool.releaseIdle();
        LOG.info("holding at changelog position {} for verification", appliedSeq);
        long deadline = System.currentTimeMillis() + LIMIT_MS;
        while (!stopping.getAsBoolean() && System.currentTimeMillis() < deadline && shared.holdAsked(schema)) {
            try {
                Thread.sleep(WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        c = pool.current();
        Control.setHeld(c, schema, null);
        c.commit();
    }
}

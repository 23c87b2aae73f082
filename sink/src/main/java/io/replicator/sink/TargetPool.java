package io.replicator.sink;

import io.replicator.core.PostgresUrl;
import io.replicator.state.SinkState;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The sink's connections to PostgreSQL: a HikariCP pool of its own, or the pool a fleet's sinks share
 * ({@link SharedTarget}), and the one connection batches are applied on now. The pool replaces a connection PostgreSQL
 * dropped; a new connection is prepared before use ({@link SinkState#ensure}, {@link ApplySession#prepare}), so every
 * connection the sink applies on runs with foreign-key actions and triggers off. A shared pool's connections carry the
 * same session setting, so there the check is made once per sink start and after each error, not at every borrow.
 * Invariant: after {@link #rollbackQuietly} or {@link #closeCurrent} nothing of an unfinished transaction remains;
 * the next {@link #current} starts clean. Used by the sink's own thread; {@link #mode} is read by any.
 */
final class TargetPool implements AutoCloseable {
    static final String APPLICATION_NAME = "replicator-sink";
    /** How long to wait for a connection before the attempt counts as a transient error (retried by the sink). */
    private static final long CONNECTION_TIMEOUT_MS = 10_000;
    /** How long a check of the current connection may take before it is evicted rather than returned. */
    private static final int VALID_TIMEOUT_S = 1;

    /** The sink's own pool; null when it borrows from {@link #shared}. */
    private final HikariDataSource pool;
    private final SharedTarget shared;
    private final String schema;
    private Connection current;
    /** True once a connection of the shared pool was checked by {@link ApplySession#prepare} since the last error. */
    private boolean prepared;
    private volatile ApplySession.Mode mode;

    TargetPool(SinkSettings settings) {
        this.schema = settings.schema();
        this.shared = settings.shared();
        this.pool = shared != null ? null
                : newPool(settings.target(), poolName(settings.schema()), settings.poolSize(), settings.instruments().poolTracker());
    }

    /** @param tracker HikariCP's meters for this pool, or null for none */
    TargetPool(PostgresUrl target, String schema, int poolSize, MetricsTrackerFactory tracker) {
        this.schema = schema;
        this.shared = null;
        this.pool = newPool(target, poolName(schema), poolSize, tracker);
    }

    /** A pool of sink connections (its own, or a fleet's shared one): every connection prepared by {@link ApplySession#INIT_SQL}. */
    static HikariDataSource newPool(PostgresUrl target, String name, int poolSize, MetricsTrackerFactory tracker) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(target.jdbcUrl());
        hc.setDataSourceProperties(target.properties(APPLICATION_NAME));
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(false);
        hc.setPoolName(name);
        hc.setInitializationFailTimeout(-1); // PostgreSQL may be restarting: the sink retries
        hc.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        // Set, not detected: HikariCP detects the default on the first connection, and if PostgreSQL drops that
        // connection during the detection the pool is left unable to create any (HikariCP issue #1944)
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hc.setConnectionInitSql(ApplySession.INIT_SQL); // no foreign-key action or trigger fires for the sink (ApplySession)
        if (tracker != null) hc.setMetricsTrackerFactory(tracker);
        return new HikariDataSource(hc);
    }

    /**
     * The pool's name, also its {@code pool} label in the HikariCP metrics: one per target schema, so that several
     * sinks in one process (a fleet) keep apart.
     */
    static String poolName(String schema) {
        return APPLICATION_NAME + "." + schema;
    }

    /** The connection to apply on: the current one, or a new one from the pool, prepared. */
    Connection current() throws SQLException {
        if (current == null) {
            Connection c = shared != null ? shared.borrow() : pool.getConnection();
            current = c; // before preparing: a failure below hands it back through closeCurrent
            if (shared == null || !prepared) {
                SinkState.ensure(c);
                c.commit();
                mode = ApplySession.prepare(c, schema);
                prepared = true;
            }
        }
        return current;
    }

    /**
     * Called between transactions when the sink has nothing to apply: a connection of a shared pool goes back to it,
     * so an idle store holds no connection; a sink with a pool of its own keeps its connection.
     */
    void releaseIdle() {
        if (shared == null || current == null) return;
        shared.giveBack(current, false); // the pool rolls back whatever a read left open
        current = null;
    }

    /** How this sink keeps PostgreSQL from doing more than SQLite did; null until it has connected. */
    ApplySession.Mode mode() {
        return mode;
    }

    /** Drops whatever the current transaction did; a connection that cannot even roll back is let go. */
    void rollbackQuietly() {
        try {
            if (current != null) current.rollback();
        } catch (SQLException ignored) {
            closeCurrent();
        }
    }

    /** Hands the current connection back (or evicts it when it is broken); the next {@link #current} takes another. */
    void closeCurrent() {
        if (shared != null) {
            if (current != null) shared.giveBack(current, true);
            current = null;
            prepared = false; // an error: the next connection is checked again
            return;
        }
        try {
            if (current != null) {
                if (current.isValid(VALID_TIMEOUT_S)) current.close();
                else pool.evictConnection(current);
            }
        } catch (SQLException ignored) {
            // closing
        }
        current = null;
    }

    @Override
    public void close() {
        rollbackQuietly();
        closeCurrent();
        if (pool != null) pool.close();
    }
}

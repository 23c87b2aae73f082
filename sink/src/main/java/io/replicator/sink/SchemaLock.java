package io.replicator.sink;

import io.replicator.state.SinkLock;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One sink per target schema: a session advisory lock on {@code hashtext('replicator.sink.' || schema)}, held on a
 * connection of its own (outside the pool, which may evict or replace its connections at any time) for the sink's
 * whole life, so a second {@code run} or a {@code replay} cannot apply to the same tables at the same time, and
 * {@code cutover} and online verification can ask {@link #busy} whether a sink runs.
 *
 * <p>The lock lives as long as its session: a PostgreSQL restart or a terminated backend ends it while the sink goes
 * on. Invariant: the sink checks it before applying after every error ({@link #keep}) and every {@value #CHECK_MS} ms
 * while between transactions ({@link #keepIfDue}), and takes it again when gone; if another sink took the schema in
 * the meantime, this one stops (exit 2). Used by the sink's own thread only.
 */
final class SchemaLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaLock.class);

    /** How often an idle or streaming sink makes sure it still holds its schema's lock (one round trip). */
    static final long CHECK_MS = 5_000;
    /** How long a liveness check of the lock's session may take before the session counts as gone. */
    private static final int VALID_TIMEOUT_S = 2;
    /** The lock session's application_name: apart from the pool's, so ending the pool's backends leaves it. */
    static final String APPLICATION_NAME = "replicator-sink-lock";

    private final PostgresUrl target;
    private final String schema;
    /** A fleet's lock session, holding every store's lock; null for a session of this sink's own. */
    private final SharedTarget shared;
    private Connection session;
    private long checkedAt;

    SchemaLock(PostgresUrl target, String schema) {
        this(target, schema, null);
    }

    /** @param shared the fleet's shared session to hold the lock on, or null for a session of its own */
    SchemaLock(PostgresUrl target, String schema, SharedTarget shared) {
        this.target = target;
        this.schema = schema;
        this.shared = shared;
    }

    /** True when a sink holds the lock of {@code schema} now (tries it, and lets it go at once when free). */
    static boolean busy(Connection c, String schema) throws SQLException {
        return SinkLock.busy(c, schema);
    }

    /** Takes the lock when the sink starts; a failure to reach PostgreSQL here stops the sink (exit 4). */
    void take() {
        try {
            keep();
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot take the sink lock of schema " + schema + ": " + e.getMessage(), e);
        }
    }

    /** Makes sure the lock is held: checks its session, and takes the lock again on a new one when it is gone. */
    void keep() throws SQLException {
        checkedAt = System.currentTimeMillis();
        if (shared != null) {
            if (!shared.hold(schema)) throw anotherSink();
            return;
        }
        if (session != null) {
            try {
                if (session.isValid(VALID_TIMEOUT_S)) return;
            } catch (SQLException ignored) {
                // gone: taken again below
            }
            closeQuietly(session);
            session = null;
            LOG.warn("the sink's lock on schema {} went with its PostgreSQL session; taking it again", schema);
        }
        session = open();
    }

    /** {@link #keep}, when the last check is more than {@value #CHECK_MS} ms before {@code nowMs}. */
    void keepIfDue(long nowMs) throws SQLException {
        if (nowMs - checkedAt > CHECK_MS) keep();
    }

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection(target.jdbcUrl(), target.properties(APPLICATION_NAME));
        try {
            if (!tryLock(c, schema)) throw anotherSink();
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private ReplicatorException anotherSink() {
        return ReplicatorException.config("another sink (a running `run` or `replay`) is applying to schema " + schema + "; stop it first");
    }

    private static boolean tryLock(Connection c, String schema) throws SQLException {
        return SinkLock.tryTake(c, schema);
    }

    private static void unlock(Connection c, String schema) throws SQLException {
        SinkLock.release(c, schema);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    /**
     * Lets the lock go, then ends its session. Unlocked explicitly: a closed session's backend ends (and drops its
     * locks) a moment after the client has gone, and a sink or {@code replay} started right after this one ends
     * must find the schema free.
     */
    @Override
    public void close() {
        if (shared != null) {
            shared.release(schema);
            return;
        }
        if (session == null) return;
        try {
            unlock(session, schema);
        } catch (SQLException ignored) {
            // the session is gone, and the lock with it
        }
        closeQuietly(session);
        session = null;
    }
}

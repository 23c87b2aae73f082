package io.replicator.sink;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.state.Control;
import io.replicator.state.SinkLock;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The PostgreSQL sessions the sinks of a fleet share, so that they do not grow with the number of stores: one bounded
 * pool that every store's sink borrows a connection from for one transaction at a time ({@link TargetPool} hands it
 * back whenever its sink is idle), and one session that holds every store's schema lock ({@link SchemaLock}).
 *
 * <p>Invariants: a connection of the pool is prepared as every sink connection is ({@link ApplySession#INIT_SQL}), and
 * is returned with no transaction open. The lock session holds a schema's lock from {@link #hold} until
 * {@link #release}; when the session is lost (PostgreSQL restarted, the backend was ended) every lock went with it,
 * and each sink takes its own again on its next {@link #hold}. Thread-safe: the stores' sinks call it from their own
 * threads. The session also reads, for all stores at once, which of them online verification asks to hold.
 */
public final class SharedTarget implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedTarget.class);

    /** The shared pool's name, also its {@code pool} label in the HikariCP metrics. */
    public static final String POOL_NAME = TargetPool.APPLICATION_NAME + ".shared";
    /** The lock session is checked at most this often, however many sinks ask. */
    private static final long CHECK_MS = 1_000;
    private static final int VALID_TIMEOUT_S = 2;

    private final PostgresUrl target;
    private final HikariDataSource pool;
    private final int poolSize;
    private final Set<String> held = new HashSet<>();
    private Connection lockSession;
    private long checkedAt;
    private Set<String> holdsAsked = Set.of();
    private long holdsReadAt;

    private SharedTarget(PostgresUrl target, int poolSize, MetricsTrackerFactory tracker) {
        this.target = target;
        this.poolSize = poolSize;
        this.pool = TargetPool.newPool(target, POOL_NAME, poolSize, tracker); // the same settings as a single sink's pool
    }

    /**
     * @param poolSize the connections all the sinks share (1..{@value SinkSettings#MAX_POOL_SIZE})
     * @param tracker  HikariCP's meters for the pool, or null for none
     */
    public static SharedTarget open(PostgresUrl target, int poolSize, MetricsTrackerFactory tracker) {
        if (poolSize < 1 || poolSize > SinkSettings.MAX_POOL_SIZE) {
            throw ReplicatorException.config("--pool-size must be 1.." + SinkSettings.MAX_POOL_SIZE + ", got " + poolSize);
        }
        return new SharedTarget(target, poolSize, tracker);
    }

    public PostgresUrl target() {
        return target;
    }

    public int poolSize() {
        return poolSize;
    }

    /** A connection of the shared pool; the caller closes it (hands it back) with no transaction open. */
    Connection borrow() throws SQLException {
        return pool.getConnection();
    }

    /** Connections the pool holds open now, in use or idle. */
    int openConnections() {
        return pool.getHikariPoolMXBean().getTotalConnections();
    }

    /** Hands back a connection that may be broken: evicted unless it answers at once. */
    void giveBack(Connection c, boolean checkFirst) {
        try {
            if (!checkFirst || c.isValid(1)) c.close();
            else pool.evictConnection(c);
        } catch (SQLException ignored) {
            // closing
        }
    }

    /**
     * Makes sure the lock of {@code schema} is held by the shared session: checks the session (at most once a
     * {@value #CHECK_MS} ms), opens a new one when it is gone, and takes the lock when this session does not hold it.
     * False when another session (another process's sink, a {@code replay}) holds it.
     */
    synchronized boolean hold(String schema) throws SQLException {
        long now = System.currentTimeMillis();
        if (lockSession != null && now - checkedAt > CHECK_MS) {
            checkedAt = now;
            boolean alive;
            try {
                alive = lockSession.isValid(VALID_TIMEOUT_S);
            } catch (SQLException e) {
                alive = false;
            }
            if (!alive) {
                closeQuietly(lockSession);
                lockSession = null;
                if (!held.isEmpty()) LOG.warn("the sinks' lock session went (PostgreSQL restarted or ended it): each store takes its schema lock again");
                held.clear();
            }
        }
        if (lockSession == null) {
            lockSession = DriverManager.getConnection(target.jdbcUrl(), target.properties(SchemaLock.APPLICATION_NAME));
            checkedAt = now;
        }
        if (schema == null || held.contains(schema)) return true; // null: only the session was wanted
        if (!SinkLock.tryTake(lockSession, schema)) return false;
        held.add(schema);
        return true;
    }

    /**
     * True when online verification asks the sink of {@code schema} to hold ({@link VerificationHold}). The requests
     * of all stores are read in one query at most once a {@value VerificationHold#CHECK_MS} ms, instead of one query
     * per store that often: a hundred idle stores asked PostgreSQL a thousand times a second.
     */
    synchronized boolean holdAsked(String schema) throws SQLException {
        long now = System.currentTimeMillis();
        if (now - holdsReadAt >= VerificationHold.CHECK_MS) {
            hold(null);
            holdsAsked = Control.holdsRequested(lockSession);
            holdsReadAt = now;
        }
        return holdsAsked.contains(schema);
    }

    /** Lets the lock of {@code schema} go at once (a sink started right after must find the schema free). */
    synchronized void release(String schema) {
        if (!held.remove(schema) || lockSession == null) return;
        try {
            SinkLock.release(lockSession, schema);
        } catch (SQLException ignored) {
            // the session is gone, and the lock with it
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    /** Closes the pool and the lock session (every lock still held goes with it). */
    @Override
    public synchronized void close() {
        pool.close();
        if (lockSession != null) closeQuietly(lockSession);
        lockSession = null;
        held.clear();
    }
}

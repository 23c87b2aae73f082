package io.replicator.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One sink per target schema: the sink holds a session advisory lock, on its own connection, for its whole life.
 * A second `run` or a `replay` cannot then apply to the same tables, and {@code cutover} and online verification
 * can tell whether a sink is running.
 */
public final class SinkLock {
    private SinkLock() {}

    private static final String PREFIX = "replicator.sink.";

    /** Takes the schema's lock for this session; false when another session holds it. */
    public static boolean tryTake(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, PREFIX + schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Lets go of the schema's lock held by this session. */
    public static void release(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
            ps.setString(1, PREFIX + schema);
            ps.execute();
        }
    }

    /** True when a sink (in this or any process) holds the schema's lock now. */
    public static boolean busy(Connection c, String schema) throws SQLException {
        if (!tryTake(c, schema)) return true;
        release(c, schema);
        return false;
    }
}

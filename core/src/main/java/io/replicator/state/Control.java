package io.replicator.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The operator's switches for one target schema: a single row in {@value #TABLE}, apart from the rows the sink
 * writes with its data. Today: the verification hold. {@code verify} asks the running sink to stop applying at its
 * next consistent point; the sink says where it holds ({@code held_seq}: PostgreSQL then shows exactly SQLite's
 * state at that changelog position) and applies nothing until the hold is lifted.
 */
public final class Control {
    public static final String TABLE = StateSchema.NAME + ".control";

    private Control() {}

    /** Asks the running sink to hold at its next consistent point, or lets it go on (commits when not in auto-commit). */
    public static void requestHold(Connection c, String schema, boolean hold) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (target_schema, hold_requested) VALUES (?, ?)"
                + " ON CONFLICT (target_schema) DO UPDATE SET hold_requested = excluded.hold_requested, updated_at = clock_timestamp()")) {
            ps.setString(1, schema);
            ps.setBoolean(2, hold);
            ps.executeUpdate();
        }
        if (!c.getAutoCommit()) c.commit();
    }

    /** True while a hold is asked for. */
    public static boolean holdRequested(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hold_requested FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** The schemas a hold is asked for now: one read for the sinks of a whole fleet. */
    public static java.util.Set<String> holdsRequested(Connection c) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT target_schema FROM " + TABLE + " WHERE hold_requested");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** The position the sink holds at, or null while it is not holding. */
    public static Long heldSeq(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT held_seq FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : null;
            }
        }
    }

    /** The sink says where it holds ({@code seq}), or that it holds no more (null). */
    public static void setHeld(Connection c, String schema, Long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET held_seq = ?, updated_at = clock_timestamp() WHERE target_schema = ?")) {
            ps.setObject(1, seq);
            ps.setString(2, schema);
            ps.executeUpdate();
        }
    }
}

package io.replicator.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The cutover's record, one row per target schema in {@code replicator.cutover}: done or aborted, and why; then
 * rolling back / rolled back when the application went back to SQLite.
 */
public final class CutoverState {
    public static final String TABLE = StateSchema.NAME + ".cutover";

    private CutoverState() {}

    public static void record(Connection c, String schema, CutoverStatus status, Long finalSeq, Long pauseMs, String reason) throws SQLException {
        StateSchema.ensure(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (target_schema, status, final_seq, write_pause_ms, reason) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (target_schema) DO UPDATE SET status = excluded.status, final_seq = excluded.final_seq,"
                + " write_pause_ms = excluded.write_pause_ms, reason = excluded.reason, at = clock_timestamp()")) {
            ps.setString(1, schema);
            ps.setString(2, status.stored);
            ps.setObject(3, finalSeq);
            ps.setObject(4, pauseMs);
            ps.setString(5, reason);
            ps.executeUpdate();
        }
    }

    /** The stored record of one schema ({@code finalSeq} and {@code writePauseMs} null when the cutover was refused before fencing). */
    public record Row(CutoverStatus status, Long finalSeq, Long writePauseMs, String reason) {}

    /** The status, or null when no cutover was tried. Reads only (creates nothing). */
    public static CutoverStatus status(Connection c, String schema) throws SQLException {
        Row r = read(c, schema);
        return r == null ? null : r.status();
    }

    /** The schema's record, or null when no cutover was tried. Reads only (creates nothing). */
    public static Row read(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('" + TABLE + "') IS NOT NULL"); var rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT status, final_seq, write_pause_ms, reason FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                return new Row(CutoverStatus.of(rs.getString(1)), (Long) rs.getObject(2), (Long) rs.getObject(3), rs.getString(4));
            }
        }
    }

    /** Forgets the schema's cutover (replication starts again after a rollback). */
    public static void clear(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE target_schema = ?")) {
            ps.setString(1, schema);
            ps.executeUpdate();
        }
    }
}

package io.replicator.cutover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The cutover's record, one row per target schema in {@code replicator.cutover}: done or aborted, and why; then
 * rolling back / rolled back when the application went back to SQLite.
 */
public final class CutoverState {
    static final String TABLE = "replicator.cutover";

    private CutoverState() {}

    static void ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(io.replicator.core.StateSchema.CREATE_IF_MISSING);
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + " target_schema text PRIMARY KEY,"
                    + " status text NOT NULL,"
                    + " final_seq bigint,"
                    + " write_pause_ms bigint,"
                    + " at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                    + " reason text)");
            // the statuses a rollback adds (a table made by an older version had a CHECK of done/aborted only)
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'cutover_status_check'"
                    + " AND conrelid = '" + TABLE + "'::regclass AND pg_get_constraintdef(oid) LIKE '%rolled back%') THEN"
                    + " ALTER TABLE " + TABLE + " DROP CONSTRAINT IF EXISTS cutover_status_check;"
                    + " ALTER TABLE " + TABLE + " ADD CONSTRAINT cutover_status_check CHECK (status IN ('done', 'aborted', 'rolling back', 'rolled back'));"
                    + " END IF; END $$");
        }
    }

    public static void record(Connection c, String schema, String status, Long finalSeq, Long pauseMs, String reason) throws SQLException {
        ensure(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (target_schema, status, final_seq, write_pause_ms, reason) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (target_schema) DO UPDATE SET status = excluded.status, final_seq = excluded.final_seq,"
                + " write_pause_ms = excluded.write_pause_ms, reason = excluded.reason, at = clock_timestamp()")) {
            ps.setString(1, schema);
            ps.setString(2, status);
            ps.setObject(3, finalSeq);
            ps.setObject(4, pauseMs);
            ps.setString(5, reason);
            ps.executeUpdate();
        }
    }

    /** The stored record of one schema ({@code finalSeq} and {@code writePauseMs} null when the cutover was refused before fencing). */
    public record Row(String status, Long finalSeq, Long writePauseMs, String reason) {}

    /** 'done', 'aborted', 'rolling back', 'rolled back', or null when no cutover was tried. Reads only (creates nothing). */
    public static String status(Connection c, String schema) throws SQLException {
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
                return new Row(rs.getString(1), (Long) rs.getObject(2), (Long) rs.getObject(3), rs.getString(4));
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

package io.replicator.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot's own state, as rows in PostgreSQL's {@code replicator} schema. A table's row says 'done'
 * only if written in the same transaction as the table and its data, so a crash never leaves a table that
 * looks complete but is not. The run row per target schema says whether the whole snapshot finished.
 */
public final class SnapshotState {
    public static final String SCHEMA = StateSchema.NAME;

    private SnapshotState() {}

    /** Brings the state schema up to date (see {@link StateSchema#ensure}). */
    public static void ensure(Connection c) throws SQLException {
        StateSchema.ensure(c);
    }

    /** True when every one of the named tables exists (checked without needing any privilege on them). */
    public static boolean exist(Connection c, String... tables) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM unnest(?::text[]) t WHERE to_regclass(t) IS NOT NULL")) {
            ps.setArray(1, c.createArrayOf("text", tables));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == tables.length;
            }
        }
    }

    /**
     * A target schema's snapshot run, as its row says.
     *
     * @param changelogSeq the capture changelog's high-water mark read with the snapshot (where the feed
     *                     starts), or null when capture was not installed
     */
    public record Run(SnapshotStatus status, String sqlitePath, String startedAt, String error, Long changelogSeq, String optionsJson) {
        public boolean done() {
            return status == SnapshotStatus.DONE;
        }
    }

    /** The existing run for {@code schema}, or null. */
    public static Run existingRun(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status, sqlite_path, started_at::text, error, changelog_seq, options::text FROM " + SCHEMA + ".snapshot_run WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Run(SnapshotStatus.of(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5) == null ? null : rs.getLong(5), rs.getString(6)) : null;
            }
        }
    }

    public static List<String> doneTables(Connection c, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM " + SCHEMA + ".snapshot_table WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Rows copied per source table of the schema's snapshot, in table order. */
    public static Map<String, Long> rowsCopied(Connection c, String schema) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_table, rows FROM " + SCHEMA + ".snapshot_table WHERE target_schema = ? ORDER BY finished_at, source_table")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    public static void forgetTables(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA + ".snapshot_table WHERE target_schema = ?")) {
            ps.setString(1, schema);
            ps.executeUpdate();
        }
    }

    public static void forget(Connection c, String schema) throws SQLException {
        for (String t : new String[] {"snapshot_table", "snapshot_run"}) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA + "." + t + " WHERE target_schema = ?")) {
                ps.setString(1, schema);
                ps.executeUpdate();
            }
        }
    }

    /** @param optionsJson the translation options the snapshot is taken with (the sink plans tables added later with them), or null */
    public static void start(Connection c, String schema, String path, Long changelogSeq, String optionsJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".snapshot_run (target_schema, sqlite_path, status, changelog_seq, options)"
                + " VALUES (?, ?, 'running', ?, ?::jsonb)")) {
            ps.setString(1, schema);
            ps.setString(2, path);
            if (changelogSeq == null) ps.setNull(3, Types.BIGINT);
            else ps.setLong(3, changelogSeq);
            ps.setString(4, optionsJson);
            ps.executeUpdate();
        }
    }

    /** The PostgreSQL table that holds {@code sourceTable} of the schema's copy, or null. */
    public static String tableFor(Connection c, String schema, String sourceTable) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM " + SCHEMA + ".snapshot_table WHERE target_schema = ? AND source_table = ?")) {
            ps.setString(1, schema);
            ps.setString(2, sourceTable);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** A table created after the snapshot (while streaming): recorded as done with no rows copied, under its source name. */
    public static void tableAdded(Connection c, String schema, String table, String source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".snapshot_table (target_schema, table_name, source_table, status, rows, bytes, seconds)"
                + " VALUES (?, ?, ?, 'done', 0, 0, 0) ON CONFLICT (target_schema, table_name) DO UPDATE SET source_table = excluded.source_table")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, source);
            ps.executeUpdate();
        }
    }

    /** A table dropped while streaming. */
    public static void tableDropped(Connection c, String schema, String source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + SCHEMA + ".snapshot_table WHERE target_schema = ? AND source_table = ?")) {
            ps.setString(1, schema);
            ps.setString(2, source);
            ps.executeUpdate();
        }
    }

    public static void tableDone(Connection c, String schema, String table, String source, long rows, long bytes, double seconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".snapshot_table (target_schema, table_name, source_table, status, rows, bytes, seconds) VALUES (?, ?, ?, 'done', ?, ?, ?)")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, source);
            ps.setLong(4, rows);
            ps.setLong(5, bytes);
            ps.setDouble(6, seconds);
            ps.executeUpdate();
        }
    }

    public static void finish(Connection c, String schema, SnapshotStatus status, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".snapshot_run SET status = ?, finished_at = clock_timestamp(), error = ? WHERE target_schema = ?")) {
            ps.setString(1, status.stored);
            ps.setString(2, error);
            ps.setString(3, schema);
            ps.executeUpdate();
        }
    }
}

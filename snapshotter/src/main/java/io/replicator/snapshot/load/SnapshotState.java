package io.replicator.snapshot.load;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The snapshot's own state, as rows in PostgreSQL's {@code replicator} schema. A table's row says 'done'
 * only if written in the same transaction as the table and its data, so a crash never leaves a table that
 * looks complete but is not. The run row per target schema says whether the whole snapshot finished.
 */
public final class SnapshotState {
    public static final String SCHEMA = "replicator";

    private SnapshotState() {}

    /**
     * Creates the state tables when missing. When they exist nothing is created, so a role that was granted
     * use of them needs no CREATE privilege on the database or the schema.
     */
    public static void ensure(Connection c) throws SQLException {
        if (exist(c, SCHEMA + ".snapshot_run", SCHEMA + ".snapshot_table")) return;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".snapshot_run ("
                    + " target_schema text PRIMARY KEY,"
                    + " sqlite_path text NOT NULL,"
                    + " status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),"
                    + " started_at timestamptz NOT NULL DEFAULT now(),"
                    + " finished_at timestamptz,"
                    + " changelog_seq bigint,"
                    + " error text)");
            s.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".snapshot_table ("
                    + " target_schema text NOT NULL,"
                    + " table_name text NOT NULL,"
                    + " source_table text NOT NULL,"
                    + " status text NOT NULL CHECK (status = 'done'),"
                    + " rows bigint NOT NULL,"
                    + " bytes bigint NOT NULL,"
                    + " seconds double precision NOT NULL,"
                    + " finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                    + " PRIMARY KEY (target_schema, table_name))");
        }
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
    public record Run(String status, String sqlitePath, String startedAt, String error, Long changelogSeq) {}

    /** The existing run for {@code schema}, or null. */
    public static Run existingRun(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status, sqlite_path, started_at::text, error, changelog_seq FROM " + SCHEMA + ".snapshot_run WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Run(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5) == null ? null : rs.getLong(5)) : null;
            }
        }
    }

    public static java.util.List<String> doneTables(Connection c, String schema) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM " + SCHEMA + ".snapshot_table WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Rows copied per source table of the schema's snapshot, in table order. */
    public static java.util.Map<String, Long> rowsCopied(Connection c, String schema) throws SQLException {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
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

    public static void start(Connection c, String schema, String path, Long changelogSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SCHEMA + ".snapshot_run (target_schema, sqlite_path, status, changelog_seq) VALUES (?, ?, 'running', ?)")) {
            ps.setString(1, schema);
            ps.setString(2, path);
            if (changelogSeq == null) ps.setNull(3, java.sql.Types.BIGINT);
            else ps.setLong(3, changelogSeq);
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

    public static void finish(Connection c, String schema, String status, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".snapshot_run SET status = ?, finished_at = clock_timestamp(), error = ? WHERE target_schema = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setString(3, schema);
            ps.executeUpdate();
        }
    }
}

package io.replicator.capture;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs and removes change capture in a SQLite file. Each is one write transaction: the application sees
 * capture either fully installed or not at all. Installing again refreshes the triggers (for new or dropped
 * tables) and keeps the changelog.
 */
public final class CaptureInstaller {
    private final SqliteSource source;

    public CaptureInstaller(SqliteSource source) {
        this.source = source;
    }

    /** What {@link #install()} did. */
    public record Installed(List<String> tables, long schemaVersion, long changelogSeq) {}

    /**
     * Installs capture, or refreshes it when already installed (then it does what {@link #refresh()} does).
     * A first install logs nothing: the snapshot taken next copies the rows as they are.
     */
    public Installed install() {
        return inWriteTransaction("install change capture in", c -> {
            try (Statement s = c.createStatement()) {
                s.execute(CaptureSchema.createChangelog());
                s.execute(CaptureSchema.createMeta());
                s.execute(CaptureSchema.createCaptured());
            }
            upgradeCapturedTable(c);
            boolean first = capturedTables(c).isEmpty();
            CaptureRefresh.Result r = CaptureRefresh.apply(c, first);
            if (meta(c, "capture_id") == null) setMeta(c, "capture_id", java.util.UUID.randomUUID().toString());
            setMeta(c, "capture_version", CaptureSchema.VERSION);
            long schemaVersion = pragma(c, "schema_version");
            setMeta(c, "schema_version", schemaVersion);
            return new Installed(r.tables(), schemaVersion, changelogSeq(c));
        });
    }

    /**
     * Brings capture in line with the application's schema after it changed: new tables get triggers and
     * every existing row's key logged (so rows written before the triggers existed are not missed), dropped
     * tables are forgotten, added columns are noted; each such change also logs a schema entry ('S') at its
     * place in the changelog. A change the feed cannot carry (a column removed, renamed or retyped, a new
     * key) is refused with a {@link ExitCode#DATA_LOSS} error and nothing is changed.
     *
     * @return what changed, in words (empty when nothing did)
     */
    public List<String> refresh() {
        return inWriteTransaction("refresh change capture in", c -> {
            if (!tableExists(c, CaptureSchema.CAPTURED)) {
                throw new ReplicatorException(ExitCode.BAD_CONFIG, "change capture is not installed in " + source.path()
                        + " (it was removed by 'uninstall', or never installed): changes made since cannot be known;"
                        + " install it and take a new snapshot (bin/replicator snapshot --drop ...)");
            }
            upgradeCapturedTable(c);
            CaptureRefresh.Result r = CaptureRefresh.apply(c, false);
            setMeta(c, "schema_version", pragma(c, "schema_version"));
            return r.changes();
        });
    }

    /** The capture id (a UUID made at first install), or null when capture is not installed. */
    public static String captureId(Connection c) throws SQLException {
        return tableExists(c, CaptureSchema.META) ? meta(c, "capture_id") : null;
    }

    /** Removes every trigger and table of capture; the application's tables and rows are untouched. Returns what was dropped. */
    public List<String> uninstall() {
        return inWriteTransaction("remove change capture from", c -> {
            List<String[]> objects = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT type, name FROM sqlite_schema WHERE type IN ('trigger', 'table') AND substr(name, 1, ?) = ? ORDER BY type DESC")) {
                ps.setInt(1, CaptureSchema.PREFIX.length());
                ps.setString(2, CaptureSchema.PREFIX);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) objects.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            List<String> dropped = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                for (String[] o : objects) {
                    s.execute("DROP " + (o[0].equals("trigger") ? "TRIGGER" : "TABLE") + " IF EXISTS " + io.replicator.core.Identifiers.sqlite(o[1]));
                    dropped.add(o[0] + " " + o[1]);
                }
            }
            return dropped;
        });
    }

    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction: committed whole, or rolled back whole. */
    private <T> T inWriteTransaction(String what, SqlWork<T> work) {
        try (Connection c = source.openWritable()) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
            try {
                T result = work.run(c);
                try (Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK");
                }
                throw e;
            }
        } catch (SQLException e) {
            if (io.replicator.core.sqlite.SqliteErrors.readOnly(e)) {
                throw new ReplicatorException(io.replicator.core.ExitCode.BAD_CONFIG, "cannot " + what + " " + source.path()
                        + ": the file or its directory is read-only for this process (" + e.getMessage() + "); this command writes into the file, "
                        + "so make it and its directory writable by this user (or run as the file's owner) and run it again", e);
            }
            throw ReplicatorException.runtime("cannot " + what + " " + source.path() + ": " + e.getMessage()
                    + " (a long application write transaction may hold the lock; run it again when the application is idle)", e);
        }
    }
    private static List<String> capturedTables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl FROM " + CaptureSchema.CAPTURED)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** Capture version 1 did not record columns: add the column; the next refresh notes every table's columns. */
    private static void upgradeCapturedTable(Connection c) throws SQLException {
        boolean has = false;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + CaptureSchema.CAPTURED + ")")) {
            while (rs.next()) has |= rs.getString("name").equals("columns");
        }
        if (!has) {
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + CaptureSchema.CAPTURED + " ADD COLUMN columns TEXT NOT NULL DEFAULT '[]'");
            }
        }
    }

    static boolean tableExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String meta(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + CaptureSchema.META + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long changelogSeq(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM " + CaptureSchema.CHANGELOG)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void setMeta(Connection c, String name, Object value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO " + CaptureSchema.META + " (name, value) VALUES (?, ?)")) {
            ps.setString(1, name);
            ps.setObject(2, value);
            ps.executeUpdate();
        }
    }
}

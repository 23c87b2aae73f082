package io.replicator.capture;

import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteTable;
import io.replicator.snapshot.plan.Profiler;
import io.replicator.snapshot.schema.SchemaReader;
import io.replicator.snapshot.schema.SourceSchema;
import io.replicator.snapshot.source.SqliteSource;

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

    public Installed install() {
        return inWriteTransaction("install change capture in", c -> {
            SourceSchema schema = SchemaReader.read(c);
            List<String> captured = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                s.execute(CaptureSchema.createChangelog());
                s.execute(CaptureSchema.createMeta());
                s.execute(CaptureSchema.createCaptured());
                for (String old : capturedTables(c)) for (String sql : TriggerBuilder.dropAll(old)) s.execute(sql);
                s.execute("DELETE FROM " + CaptureSchema.CAPTURED);
                for (SqliteTable t : schema.tables()) {
                    TriggerBuilder.Key key = keyOf(c, t);
                    for (String sql : TriggerBuilder.create(t, key, rowidName(t))) s.execute(sql);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + CaptureSchema.CAPTURED + " VALUES (?, ?, ?)")) {
                        ps.setString(1, t.name());
                        ps.setString(2, key.kind());
                        ps.setString(3, String.join(",", key.columns()));
                        ps.executeUpdate();
                    }
                    captured.add(t.name());
                }
            }
            long schemaVersion = pragma(c, "schema_version");
            setMeta(c, "capture_version", CaptureSchema.VERSION);
            setMeta(c, "schema_version", schemaVersion);
            return new Installed(captured, schemaVersion, changelogSeq(c));
        });
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
            throw ReplicatorException.runtime("cannot " + what + " " + source.path() + ": " + e.getMessage()
                    + " (the file must be writable; a long application write transaction may hold the lock)", e);
        }
    }
    /** The same key the snapshot uses: the primary key, or the rowid when there is none or it holds NULLs. */
    private static TriggerBuilder.Key keyOf(Connection c, SqliteTable t) throws SQLException {
        if (!t.primaryKey().isEmpty() && !Profiler.primaryKeyHasNulls(c, t)) {
            if (t.primaryKey().size() > CaptureSchema.MAX_KEY_COLUMNS) {
                throw ReplicatorException.config("table " + t.name() + " has a primary key of " + t.primaryKey().size()
                        + " columns; change capture supports up to " + CaptureSchema.MAX_KEY_COLUMNS);
            }
            return new TriggerBuilder.Key(TriggerBuilder.Key.PRIMARY_KEY, t.primaryKey());
        }
        if (t.withoutRowid()) throw ReplicatorException.config("table " + t.name() + " is WITHOUT ROWID and its primary key holds NULLs");
        return new TriggerBuilder.Key(TriggerBuilder.Key.ROWID, List.of(rowidName(t)));
    }

    private static String rowidName(SqliteTable t) {
        for (String cand : List.of("rowid", "_rowid_", "oid")) if (t.column(cand).isEmpty()) return cand;
        return "rowid";
    }

    private static List<String> capturedTables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl FROM " + CaptureSchema.CAPTURED)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
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

    private static void setMeta(Connection c, String name, long value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO " + CaptureSchema.META + " (name, value) VALUES (?, ?)")) {
            ps.setString(1, name);
            ps.setLong(2, value);
            ps.executeUpdate();
        }
    }
}

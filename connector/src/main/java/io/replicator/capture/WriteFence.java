package io.replicator.capture;

import io.replicator.core.Identifiers;

import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.sqlite.SqliteWriteLock;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.sqlite;

/**
 * The cutover's write fence: BEFORE INSERT/UPDATE/DELETE triggers on every captured table that refuse the
 * write with a message saying where the data went. Core SQL only ({@code RAISE(ABORT, ...)}). Put up in one
 * write transaction that also reads the changelog's final position: every write committed before it is at or
 * below that position, every later one is refused. Lifted in one transaction too.
 */
public final class WriteFence {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WriteFence.class);
    public static final String PREFIX = CaptureSchema.PREFIX + "fence_";

    private final SqliteSource source;

    public WriteFence(SqliteSource source) {
        this.source = source;
    }

    /**
     * Puts the fence up; returns the final changelog position. The trigger statements are made before the write
     * lock is taken ({@link SqliteWriteLock}: in a gap between the application's transactions, waiting up to the
     * busy timeout), and the lock is held only to create them and read the position.
     */
    public long raise(String message) {
        try (Connection c = source.openWritable()) {
            while (true) {
                long version;
                List<String> creates;
                try (Statement s = c.createStatement()) {
                    s.execute("BEGIN");
                    try {
                        version = schemaVersion(c);
                        creates = fenceStatements(c, message);
                    } finally {
                        s.execute("COMMIT");
                    }
                }
                SqliteWriteLock.begin(c, source, "fence writes to");
                long locked = System.nanoTime();
                try (Statement s = c.createStatement()) {
                    try {
                        if (schemaVersion(c) != version) { // capture was refreshed meanwhile: make the statements again
                            s.execute("ROLLBACK");
                            continue;
                        }
                        for (String sql : creates) s.execute(sql);
                        syncSchemaVersion(c);
                        long seq;
                        try (ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM " + CaptureSchema.CHANGELOG)) {
                            rs.next();
                            seq = rs.getLong(1);
                        }
                        s.execute("COMMIT");
                        LOG.debug("fence raised on {}: write lock held {} us", source.path(), (System.nanoTime() - locked) / 1000);
                        return seq;
                    } catch (SQLException | RuntimeException e) {
                        s.execute("ROLLBACK");
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot fence writes to " + source.path() + ": " + e.getMessage(), e);
        }
    }

    /** Takes the fence down: the application can write again. Harmless when there is none. */
    public void lift() {
        try (Connection c = source.openWritable(); Statement s = c.createStatement()) {
            SqliteWriteLock.begin(c, source, "lift the write fence of");
            try {
                dropTriggers(c);
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot lift the write fence of " + source.path() + ": " + e.getMessage()
                    + " — the application's writes are still refused; run `bin/replicator cutover --lift-fence ...` again", e);
        } catch (ReplicatorException e) { // the busy timeout passed
            throw new ReplicatorException(e.exitCode(), e.getMessage()
                    + " The application's writes are still refused; run `bin/replicator cutover --lift-fence ...` again", e);
        }
    }

    /** Creates the fence triggers on every captured table, in the caller's write transaction. */
    public static void createTriggers(Connection c, String message) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : fenceStatements(c, message)) s.execute(sql);
        }
        syncSchemaVersion(c);
    }

    /** The fence's CREATE TRIGGER statements for every captured table. */
    private static List<String> fenceStatements(Connection c, String message) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl FROM " + CaptureSchema.CAPTURED)) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        String raise = "SELECT RAISE(ABORT, " + Identifiers.sqlLiteral(message) + ");";
        List<String> out = new ArrayList<>();
        for (String t : tables) {
            for (String[] op : new String[][] {{"i", "INSERT"}, {"u", "UPDATE"}, {"d", "DELETE"}}) {
                out.add("CREATE TRIGGER IF NOT EXISTS " + sqlite(PREFIX + op[0] + "_" + t) + " BEFORE " + op[1] + " ON " + sqlite(t)
                        + " BEGIN " + raise + " END");
            }
        }
        return out;
    }

    private static long schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA schema_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Drops every fence trigger, in the caller's write transaction. */
    public static void dropTriggers(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, ?) = ?")) {
            ps.setInt(1, PREFIX.length());
            ps.setString(2, PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) names.add(rs.getString(1));
            }
        }
        try (Statement s = c.createStatement()) {
            for (String n : names) s.execute("DROP TRIGGER IF EXISTS " + sqlite(n));
        }
        syncSchemaVersion(c);
    }

    /** Fence triggers are not a schema change the feed must follow: record the new schema_version as seen. */
    private static void syncSchemaVersion(Connection c) throws SQLException {
        long v = schemaVersion(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO " + CaptureSchema.META + " (name, value) VALUES ('schema_version', ?)")) {
            ps.setLong(1, v);
            ps.executeUpdate();
        }
    }
}

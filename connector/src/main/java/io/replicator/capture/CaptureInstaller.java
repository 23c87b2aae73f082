package io.replicator.capture;

import io.replicator.core.ExitCode;
import io.replicator.core.Identifiers;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteErrors;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.sqlite.SqliteWriteLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Installs and removes change capture in a SQLite file. Each is one write transaction: the application sees
 * capture either fully installed or not at all. Installing again refreshes the triggers (for new or dropped
 * tables) and keeps the changelog.
 * <p>The application is live: what to write is worked out first, without a lock (reading the schema, checking
 * keys), then the write lock is taken in a gap between the application's transactions ({@link SqliteWriteLock},
 * waiting up to the busy timeout) and held only for the writes, after checking that the schema did not change
 * meanwhile (else it is worked out again).
 */
public final class CaptureInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureInstaller.class);
    private final SqliteSource source;

    public CaptureInstaller(SqliteSource source) {
        this.source = source;
    }

    /** What {@link #install()} did. */
    public record Installed(List<String> tables, long schemaVersion, long changelogSeq) {}

    /**
     * Installs capture, or refreshes it when already installed (then it does what {@link #refresh()} does).
     * A first install logs nothing: the snapshot taken next copies the rows as they are. When capture is already
     * exactly in place (a restart of {@code run}), nothing is written at all.
     */
    public Installed install() {
        String what = "install change capture in";
        return inConnection(what, c -> {
            for (int round = 1; ; round++) {
                boolean underLock = round == PREPARE_ROUNDS; // the schema kept changing: work it out under the lock
                CaptureRefresh.Prepared early = underLock ? null : CaptureRefresh.prepare(c, firstInstall(c));
                if (early != null && early.upToDate() && current(c, early.schemaVersion())) {
                    return new Installed(early.result().tables(), early.schemaVersion(), changelogSeq(c));
                }
                Installed done = inWriteTransaction(c, what, () -> {
                    CaptureRefresh.Prepared p = early != null ? early : CaptureRefresh.prepare(c, firstInstall(c));
                    if (early != null && !p.stillValid(c)) return null;
                    try (Statement s = c.createStatement()) {
                        s.execute(CaptureSchema.createChangelog());
                        s.execute(CaptureSchema.createMeta());
                        s.execute(CaptureSchema.createCaptured());
                    }
                    upgradeCapturedTable(c);
                    CaptureRefresh.Result r = p.apply(c);
                    if (meta(c, "capture_id") == null) setMeta(c, "capture_id", UUID.randomUUID().toString());
                    setMeta(c, "capture_version", CaptureSchema.VERSION);
                    long schemaVersion = pragma(c, "schema_version");
                    setMeta(c, "schema_version", schemaVersion);
                    return new Installed(r.tables(), schemaVersion, changelogSeq(c));
                });
                if (done != null) return done;
            }
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
        String what = "refresh change capture in";
        return inConnection(what, c -> {
            for (int round = 1; ; round++) {
                boolean underLock = round == PREPARE_ROUNDS;
                CaptureRefresh.Prepared early = null;
                if (!underLock) {
                    requireInstalled(c);
                    early = CaptureRefresh.prepare(c, false);
                    if (early.upToDate() && current(c, early.schemaVersion())) return List.<String>of(); // someone refreshed it already
                }
                CaptureRefresh.Prepared fixed = early;
                List<String> done = inWriteTransaction(c, what, () -> {
                    CaptureRefresh.Prepared p = fixed;
                    if (p == null) {
                        requireInstalled(c);
                        p = CaptureRefresh.prepare(c, false);
                    } else if (!p.stillValid(c)) {
                        return null;
                    }
                    if (!p.upToDate()) { // else only the schema version moved (an index, a view): nothing but the meta row to write
                        upgradeCapturedTable(c);
                        p.apply(c);
                    }
                    setMeta(c, "schema_version", pragma(c, "schema_version"));
                    return p.result().changes();
                });
                if (done != null) return done;
            }
        });
    }

    /** How often install/refresh work their writes out before taking the lock; the last time, under the lock. */
    private static final int PREPARE_ROUNDS = 5;

    private void requireInstalled(Connection c) throws SQLException {
        if (!tableExists(c, CaptureSchema.CAPTURED)) {
            throw new ReplicatorException(ExitCode.BAD_CONFIG, "change capture is not installed in " + source.path()
                    + " (it was removed by 'uninstall', or never installed): changes made since cannot be known;"
                    + " install it and take a new snapshot (bin/replicator snapshot --drop ...)");
        }
    }

    private static boolean firstInstall(Connection c) throws SQLException {
        return !tableExists(c, CaptureSchema.CAPTURED) || capturedTables(c).isEmpty();
    }

    /** Capture's tables, id and version are in place and it has seen schema version {@code schemaVersion}. */
    private static boolean current(Connection c, long schemaVersion) throws SQLException {
        if (!tableExists(c, CaptureSchema.CHANGELOG) || !tableExists(c, CaptureSchema.META) || !tableExists(c, CaptureSchema.CAPTURED)) return false;
        if (!CapturedRecords.hasColumnsColumn(c) || meta(c, "capture_id") == null) return false;
        return String.valueOf(CaptureSchema.VERSION).equals(meta(c, "capture_version"))
                && String.valueOf(schemaVersion).equals(meta(c, "schema_version"));
    }

    /** The capture id (a UUID made at first install), or null when capture is not installed. */
    public static String captureId(Connection c) throws SQLException {
        return tableExists(c, CaptureSchema.META) ? meta(c, "capture_id") : null;
    }

    /** Removes every trigger and table of capture; the application's tables and rows are untouched. Returns what was dropped. */
    public List<String> uninstall() {
        String what = "remove change capture from";
        return inConnection(what, c -> inWriteTransaction(c, what, () -> {
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
                    s.execute("DROP " + (o[0].equals("trigger") ? "TRIGGER" : "TABLE") + " IF EXISTS " + Identifiers.sqlite(o[1]));
                    dropped.add(o[0] + " " + o[1]);
                }
            }
            return dropped;
        }));
    }

    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private interface TxWork<T> {
        /** The writes; null to roll back and report "work it out again". */
        T run() throws SQLException;
    }

    /** Opens a writable connection for {@code work}, and words its failures. */
    private <T> T inConnection(String what, SqlWork<T> work) {
        try (Connection c = source.openWritable()) {
            return work.run(c);
        } catch (SQLException e) {
            if (SqliteErrors.readOnly(e)) {
                throw new ReplicatorException(ExitCode.BAD_CONFIG, "cannot " + what + " " + source.path()
                        + ": the file or its directory is read-only for this process (" + e.getMessage() + "); this command writes into the file, "
                        + "so make it and its directory writable by this user (or run as the file's owner) and run it again", e);
            }
            throw ReplicatorException.runtime("cannot " + what + " " + source.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code work} in one write transaction, taken as {@link SqliteWriteLock#begin} does (waiting for a gap
     * between the application's transactions, up to the busy timeout): committed whole, or rolled back whole.
     */
    private <T> T inWriteTransaction(Connection c, String what, TxWork<T> work) throws SQLException {
        SqliteWriteLock.begin(c, source, what);
        long t0 = System.nanoTime();
        try {
            T result = work.run();
            try (Statement s = c.createStatement()) {
                s.execute(result == null ? "ROLLBACK" : "COMMIT");
            }
            LOG.debug("{} {}: write lock held {} ms", what, source.path(), (System.nanoTime() - t0) / 1_000_000);
            return result;
        } catch (SQLException | RuntimeException e) {
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
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
        if (!CapturedRecords.hasColumnsColumn(c)) {
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

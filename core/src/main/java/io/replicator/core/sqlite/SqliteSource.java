package io.replicator.core.sqlite;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * A SQLite file as a source: checks that it is one, opens read connections, and knows its journal mode.
 * Connections are read-only unless a write is explicitly needed (switching to WAL, the snapshot fence).
 */
public final class SqliteSource {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /**
     * How long the tool waits for a lock the application (or any other connection) holds on the file before it
     * gives up: the one default of every SQLite connection and write of the tool; {@code --sqlite-busy-timeout}.
     */
    public static final int DEFAULT_BUSY_TIMEOUT_SECONDS = 30;
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(DEFAULT_BUSY_TIMEOUT_SECONDS);
    /** The header up to the file format read version, which is 2 for WAL (https://sqlite.org/fileformat.html). */
    private static final int HEADER_BYTES = 20;
    private static final int WAL_VERSION_OFFSET = 19;

    private final Path path;
    private final Duration busyTimeout;

    private SqliteSource(Path path, Duration busyTimeout) {
        this.path = path;
        this.busyTimeout = busyTimeout;
    }

    /** Validates that {@code path} exists and is a SQLite database file. */
    public static SqliteSource of(String rawPath) {
        if (rawPath == null || rawPath.isBlank()) throw ReplicatorException.config("--sqlite is required: the path of the SQLite database file");
        Path p = Path.of(rawPath).toAbsolutePath().normalize();
        if (!Files.exists(p)) throw ReplicatorException.config("--sqlite: " + p + " does not exist");
        if (Files.isDirectory(p)) throw ReplicatorException.config("--sqlite: " + p + " is a directory, not a SQLite file");
        if (!Files.isReadable(p)) throw ReplicatorException.config("--sqlite: " + p + " is not readable by this user");
        byte[] head = new byte[HEADER_BYTES];
        try (InputStream in = Files.newInputStream(p)) {
            int n = in.readNBytes(head, 0, HEADER_BYTES);
            if (n < MAGIC.length || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw ReplicatorException.config("--sqlite: " + p + " is not a SQLite 3 database (its first 16 bytes are not 'SQLite format 3')");
            }
            if (n == HEADER_BYTES && head[WAL_VERSION_OFFSET] == 2) checkWalReadable(p);
        } catch (IOException e) {
            throw ReplicatorException.runtime("cannot read " + p + ": " + e.getMessage(), e);
        }
        return new SqliteSource(p, DEFAULT_BUSY_TIMEOUT);
    }

    /** The same file, waiting up to {@code timeout} for the application's locks ({@link #DEFAULT_BUSY_TIMEOUT} otherwise). */
    public SqliteSource withBusyTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw ReplicatorException.config("--sqlite-busy-timeout must be between 0 and 24 days, got " + timeout);
        }
        return new SqliteSource(path, timeout);
    }

    /** How long a connection, and every write of the tool, waits for the application's locks before giving up. */
    public Duration busyTimeout() {
        return busyTimeout;
    }

    /**
     * Even a reader of a WAL database needs its {@code -shm} file; SQLite creates it beside the database and
     * cannot where the directory is read-only (a read-only mount, no write permission), which it reports only
     * as "unable to open database file".
     */
    private static void checkWalReadable(Path p) {
        Path dir = p.getParent();
        if (!Files.exists(Path.of(p + "-shm")) && dir != null && !Files.isWritable(dir)) {
            throw ReplicatorException.config("--sqlite: " + p + " is in WAL mode and its directory " + dir + " is read-only for this process "
                    + "(a read-only file system or no write permission), so SQLite cannot create " + p.getFileName() + "-shm, which it needs "
                    + "even to read; make the directory writable by this user, or copy the file elsewhere and point --sqlite at the copy");
        }
    }

    public Path path() {
        return path;
    }

    public Connection openReadOnly() {
        return open(true);
    }

    public Connection openWritable() {
        return open(false);
    }

    private Connection open(boolean readOnly) {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(readOnly);
        cfg.setBusyTimeout((int) busyTimeout.toMillis());
        cfg.setSharedCache(false);
        try {
            Connection c = cfg.createConnection("jdbc:sqlite:" + path);
            try {
                PollingBusyHandler.install(c, busyTimeout);
                if (readOnly) ApplicationCollations.registerStandIns(c);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return c;
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot open SQLite file " + path + (readOnly ? " for reading" : " for writing") + ": " + e.getMessage(), e);
        }
    }

    public static String journalMode(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            return rs.next() ? rs.getString(1).toLowerCase(Locale.ROOT) : "unknown";
        }
    }

    public static String encoding(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA encoding")) {
            return rs.next() ? rs.getString(1) : "unknown";
        }
    }

    /**
     * Switches the file to WAL; persistent for every user of the file. Returns the mode SQLite reports.
     * <p>SQLite needs the EXCLUSIVE lock for it, and asks for it in a way that does not wait: the pragma first
     * opens a read transaction, then upgrades it to a writer, and an upgrade that meets another writer's
     * RESERVED lock fails with SQLITE_BUSY at once, whatever the busy timeout (only the last step, from PENDING to
     * EXCLUSIVE, calls the busy handler). So the pragma is tried again, as {@link SqliteWriteLock#retry} does,
     * until the application is between two transactions, for at most the busy timeout.
     */
    public String switchToWal() {
        try (Connection c = openWritable()) {
            String mode = SqliteWriteLock.retry(c, this, "switch to WAL", () -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
                    return rs.next() ? rs.getString(1).toLowerCase(Locale.ROOT) : "unknown";
                }
            });
            if (!mode.equals("wal")) {
                throw new ReplicatorException(ExitCode.RUNTIME, "asked SQLite to switch " + path + " to WAL, but it stayed in '" + mode
                        + "' mode (a read-only file or directory, or a network file system?)");
            }
            return mode;
        } catch (SQLException e) {
            if (SqliteErrors.readOnly(e)) {
                throw new ReplicatorException(ExitCode.BAD_CONFIG, "cannot switch " + path + " to WAL: the file or its directory is read-only for this process ("
                        + e.getMessage() + "); make both writable, or copy under a shared lock with --rollback-journal=lock, which writes nothing", e);
            }
            throw ReplicatorException.runtime("cannot switch " + path + " to WAL: " + e.getMessage(), e);
        }
    }

    /** Size of the -wal file in bytes, 0 when there is none. */
    public long walBytes() {
        Path wal = Path.of(path + "-wal");
        try {
            return Files.exists(wal) ? Files.size(wal) : 0;
        } catch (IOException e) {
            return -1;
        }
    }
}

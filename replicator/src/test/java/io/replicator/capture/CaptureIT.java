package io.replicator.capture;

import io.replicator.core.ReplicatorException;
import io.replicator.core.testing.SqliteApp;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture triggers, exercised by the machine's own sqlite3 program (Debian's, older than our driver and a
 * stand-in for the application's library): every write leaves its key in the changelog, in commit order.
 */
class CaptureIT {
    @TempDir
    Path dir;

    private Path db() throws Exception {
        return SqliteFiles.create(dir, "app.db",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, avatar BLOB)",
                "CREATE TABLE tags (a TEXT, b INTEGER, note TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID",
                "CREATE TABLE log (line TEXT)",
                "INSERT INTO users VALUES (1, 'a@x', 'ann', x'00ff'), (2, 'b@x', 'bob', NULL)");
    }

    /** Runs SQL through the sqlite3 command-line program, as an application would. */
    private static void app(Path db, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", db.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "sqlite3 failed: " + out);
    }

    private static List<String> changelog(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tbl, op, quote(k1), quote(k2) FROM " + CaptureSchema.CHANGELOG + " ORDER BY seq")) {
            while (rs.next()) out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + (rs.getString(4).equals("NULL") ? "" : "," + rs.getString(4)));
        }
        return out;
    }

    @Test
    void everyWriteLeavesItsKeyInCommitOrder() throws Exception {
        Path db = db();
        CaptureInstaller.Installed inst = new CaptureInstaller(SqliteSource.of(db.toString())).install();
        assertEquals(List.of("users", "tags", "log"), inst.tables());
        app(db, "INSERT INTO users VALUES (3, 'c@x', 'cy', x'');\n"
                + "UPDATE users SET name = 'Ann' WHERE id = 1;\n"
                + "UPDATE users SET id = 10 WHERE id = 2;\n"
                + "DELETE FROM users WHERE id = 3;\n"
                + "BEGIN; INSERT INTO tags VALUES ('x', 1, 'n'); UPDATE tags SET b = 2 WHERE a = 'x'; COMMIT;\n"
                + "INSERT INTO log VALUES ('hello');\n"
                + "INSERT OR REPLACE INTO users VALUES (20, 'a@x', 'replaces ann', NULL);\n");
        assertEquals(List.of(
                "users I 3",
                "users U 1",
                "users D 2", "users U 10",            // a key change is the old key gone and the new one written
                "users D 3",
                "tags I 'x',1", "tags D 'x',1", "tags U 'x',2",
                "log I 1",                            // no primary key: the rowid
                "users R 1", "users I 20"             // INSERT OR REPLACE removed row 1 through the UNIQUE email: logged in advance
        ), changelog(db));
    }

    @Test
    void reinstallKeepsTheChangelogAndUninstallLeavesNoTrace() throws Exception {
        Path db = db();
        List<String> before = objects(db);
        CaptureInstaller installer = new CaptureInstaller(SqliteSource.of(db.toString()));
        installer.install();
        app(db, "INSERT INTO log VALUES ('one');");
        installer.install();
        app(db, "INSERT INTO log VALUES ('two');");
        assertEquals(List.of("log I 1", "log I 2"), changelog(db));
        assertTrue(installer.uninstall().size() >= 3 * 3 + 2);
        assertEquals(before, objects(db), "uninstall leaves the schema exactly as it was");
        app(db, "INSERT INTO users VALUES (5, 'e@x', 'eve', NULL);");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertEquals(3, rs.getLong(1), "application data untouched");
        }
    }

    @Test
    void snapshotRecordsTheChangelogHighWaterMarkAndDoesNotCopyCaptureTables() throws Exception {
        Path db = db();
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        app(db, "INSERT INTO log VALUES ('a'); INSERT INTO log VALUES ('b'); UPDATE users SET name = 'x' WHERE id = 2;");
        String schema = TestPostgres.freshSchema("capture");
        SnapshotReport r = new Snapshotter(SqliteSource.of(db.toString()), TestPostgres.target(),
                new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
        assertEquals(3L, r.changelogSeq(), "the feed starts after the last change the snapshot already holds");
        assertEquals(List.of("log", "tags", "users"), r.tables().stream().map(SnapshotReport.TableReport::source).sorted().toList());
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT changelog_seq FROM replicator.snapshot_run WHERE target_schema = '" + schema + "'")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getLong(1));
        }
    }

    // ---- under a live application: wait for its transactions (up to the busy timeout), never fail them ----

    private static long schemaVersion(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA schema_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long rows(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void installSucceedsWhileTheApplicationCommits200TransactionsASecond() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "live.db"); // rollback journal: capture is installed before any switch to WAL
        try (SqliteApp.Writer app = new SqliteApp.Writer(db, 200, Duration.ofMillis(2))) {
            app.awaitCommits(20, Duration.ofSeconds(30));
            CaptureInstaller.Installed inst = new CaptureInstaller(SqliteSource.of(db.toString())).install();
            assertEquals(List.of("app_counter", "app_item"), inst.tables());
            app.awaitCommits(20, Duration.ofSeconds(30));
            assertEquals(Map.of(), app.failures(), "no application transaction failed");
        }
        assertTrue(rows(db, "SELECT count(*) FROM " + CaptureSchema.CHANGELOG + " WHERE tbl = 'app_item'") >= 20,
                "the application's transactions after the install are captured");
    }

    @Test
    void installWaitsForAWriteLockHeldTwoSecondsThenSucceeds() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "held.db");
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofSeconds(2)).awaitTaken()) {
            new CaptureInstaller(SqliteSource.of(db.toString())).install();
            long done = System.nanoTime();
            assertTrue(app.committedAt() != 0 && app.committedAt() < done, "installed after the application's transaction committed");
            assertNull(app.join(), "the application's transaction committed");
        }
        assertEquals(1, SqliteApp.items(db));
        SqliteApp.exec(db, "INSERT INTO app_item (v) VALUES (2)");
        assertEquals(1, rows(db, "SELECT count(*) FROM " + CaptureSchema.CHANGELOG), "capture works");
    }

    @Test
    void installGivesUpAfterTheBusyTimeoutWithAClearMessageAndChangesNothing() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "stuck.db");
        List<String> before = objects(db);
        SqliteSource source = SqliteSource.of(db.toString()).withBusyTimeout(Duration.ofMillis(500));
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofMinutes(5)).awaitTaken()) {
            long t0 = System.nanoTime();
            ReplicatorException e = assertThrows(ReplicatorException.class, () -> new CaptureInstaller(source).install());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 500 && ms < 10_000, "gave up after the busy timeout: " + ms + " ms");
            String m = e.getMessage();
            assertTrue(m.startsWith("cannot install change capture in " + db.toAbsolutePath() + ": another connection kept SQLite's lock"), m);
            assertTrue(m.contains("busy timeout (waited 0.") && m.contains("Nothing was changed") && m.contains("--sqlite-busy-timeout (now 500ms)"), m);
            app.release();
            assertNull(app.join(), "the application's transaction still commits");
        }
        assertEquals(before, objects(db), "nothing of capture is in the file");
    }

    @Test
    void reinstallingUpToDateCaptureWritesNothingSoNeedsNoLock() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "again.db");
        CaptureInstaller installer = new CaptureInstaller(SqliteSource.of(db.toString()).withBusyTimeout(Duration.ofMillis(200)));
        installer.install();
        long version = schemaVersion(db);
        List<String> objects = objects(db);
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofMinutes(5)).awaitTaken()) {
            installer.install(); // run's restart: with the application holding the write lock, a write would time out
        }
        assertEquals(version, schemaVersion(db), "triggers were not dropped and created again");
        assertEquals(objects, objects(db));
        app(db, "CREATE INDEX app_item_v ON app_item (v);"); // the schema moved, capture's triggers did not
        assertEquals(List.of(), installer.refresh());
        assertEquals(schemaVersion(db), rows(db, "SELECT value FROM " + CaptureSchema.META + " WHERE name = 'schema_version'"), "the new version is noted");
        assertEquals(objects.size() + 1, objects(db).size(), "and nothing else changed");
    }

    @Test
    void fenceUnderA200TransactionsASecondWriterRefusesLaterWritesAndFailsNoneWithBusy() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "fence.db");
        SqliteSource source = SqliteSource.of(db.toString());
        new CaptureInstaller(source).install();
        source.switchToWal();
        long seq;
        Map<String, Integer> failures;
        try (SqliteApp.Writer app = new SqliteApp.Writer(db, 200, Duration.ofMillis(2))) {
            app.awaitCommits(20, Duration.ofSeconds(30));
            seq = new WriteFence(source).raise("moved to PostgreSQL by the test");
            long refusedAt = System.nanoTime();
            while (app.failures().isEmpty() && System.nanoTime() - refusedAt < 30_000_000_000L) Thread.sleep(1);
            failures = app.failures();
        }
        assertTrue(failures.keySet().stream().allMatch(m -> m.contains("moved to PostgreSQL by the test")),
                "the application's writes are refused by the fence, none failed with SQLITE_BUSY: " + failures);
        assertEquals(seq, rows(db, "SELECT max(seq) FROM " + CaptureSchema.CHANGELOG), "nothing was logged after the fence's position");
        new WriteFence(source).lift();
        SqliteApp.exec(db, "INSERT INTO app_item (v) VALUES (0)");
    }

    @Test
    void fenceWaitsForAWriteLockHeldTwoSecondsThenSucceeds() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "fence-held.db");
        SqliteSource source = SqliteSource.of(db.toString());
        new CaptureInstaller(source).install();
        source.switchToWal();
        long seq;
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofSeconds(2)).awaitTaken()) {
            seq = new WriteFence(source).raise("fenced");
            long done = System.nanoTime();
            assertTrue(app.committedAt() != 0 && app.committedAt() < done, "fenced after the application's transaction committed");
            assertNull(app.join(), "the application's transaction committed");
        }
        assertEquals(1, seq, "the final position includes the application's held transaction");
    }

    @Test
    void fenceGivesUpAfterTheBusyTimeoutAndLeavesTheApplicationWriting() throws Exception {
        Path db = SqliteApp.rollbackJournalFile(dir, "fence-stuck.db");
        SqliteSource source = SqliteSource.of(db.toString());
        new CaptureInstaller(source).install();
        source.switchToWal();
        try (SqliteApp.LockHolder app = new SqliteApp.LockHolder(db, Duration.ofMinutes(5)).awaitTaken()) {
            ReplicatorException e = assertThrows(ReplicatorException.class,
                    () -> new WriteFence(source.withBusyTimeout(Duration.ofMillis(300))).raise("fenced"));
            assertTrue(e.getMessage().startsWith("cannot fence writes to " + db.toAbsolutePath() + ": another connection kept SQLite's lock"), e.getMessage());
            app.release();
            assertNull(app.join());
        }
        SqliteApp.exec(db, "INSERT INTO app_item (v) VALUES (0)"); // no fence was left behind
        assertEquals(2, SqliteApp.items(db));
    }

    private static List<String> objects(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}

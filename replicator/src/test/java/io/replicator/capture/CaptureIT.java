package io.replicator.capture;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private static List<String> objects(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}

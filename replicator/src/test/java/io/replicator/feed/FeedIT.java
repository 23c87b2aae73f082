package io.replicator.feed;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.capture.CaptureInstaller;
import io.replicator.testing.TestKafka;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change feed end to end against a real broker: SQLite writes by the sqlite3 program → events in Kafka. */
class FeedIT {
    @TempDir
    Path dir;

    /** Runs SQL through the sqlite3 command-line program, as an application would. */
    static void app(Path db, String sql) throws Exception {
        io.replicator.testing.Sqlite3.exec(db, sql);
    }

    static long installCapture(Path db) {
        return new CaptureInstaller(SqliteSource.of(db.toString())).install().changelogSeq();
    }

    FeedSettings settings(Path db, long start) {
        return FeedSettings.defaults(db, start, dir.resolve("state"));
    }

    @Test
    void everyKindOfWriteArrivesInOrderWithExactValues() throws Exception {
        Path db = SqliteFiles.create(dir, "app.db",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, avatar BLOB, score REAL, n ANY)",
                "CREATE TABLE tags (a TEXT, b INTEGER, note TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID",
                "CREATE TABLE log (line TEXT)",
                "INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'ann'), (2, 'b@x', 'bob')");
        long start = installCapture(db);
        Map<String, List<String>> keys = Map.of("users", List.of("id"), "tags", List.of("a", "b"), "log", List.of("_sqlite_rowid"));
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start), TestKafka.bootstrap());
             EventTail tail = new EventTail(TestKafka.bootstrap(), feed.settings().topic())) {
            app(db, "INSERT INTO users VALUES (3, 'c@x', 'cy 🙂 ñ', x'00ff10', 0.30000000000000004, 4611686018427387905);\n"
                    + "INSERT INTO users VALUES (4, 'd@x', 'zero', x'', -0.0, 9e999);\n"
                    + "INSERT INTO users VALUES (5, 'e@x', 'huge', NULL, 1.7976931348623157e308, CAST(x'ff41' AS TEXT));\n"
                    + "INSERT INTO users VALUES (6, 'f@x', 'nul', NULL, -9e999, 'a' || char(0) || 'b');\n"
                    + "INSERT INTO users VALUES (7, 'g@x', 'negative zero', -0.0, NULL, NULL);\n"
                    + "UPDATE users SET name = 'Ann' WHERE id = 1;\n"
                    + "UPDATE users SET id = 10, n = 4611686018427387905 WHERE id = 2;\n"
                    + "DELETE FROM users WHERE id = 3;\n"
                    + "BEGIN; INSERT INTO tags VALUES ('x', 1, 'n'); UPDATE tags SET b = 2 WHERE a = 'x'; INSERT INTO log VALUES ('hello'); COMMIT;\n"
                    + "INSERT OR REPLACE INTO users (id, email, name) VALUES (20, 'a@x', 'replaces ann');\n");
            long end = maxSeq(db);
            List<Struct> events = tail.untilSeq(end, Duration.ofSeconds(30));
            Replica.keys(keys);
            Replica replica = new Replica().apply(events);
            assertEquals(Replica.of(db, keys, List.of("log")), replica.tables, "the replica built from the events equals SQLite");

            // INSERT OR REPLACE removed user 1 (same email) without a DELETE trigger: the feed still deleted it
            assertTrue(events.stream().anyMatch(e -> isDelete(e, "users", 1L)));
            // the PK change is the old key deleted and the new one written
            assertTrue(events.stream().anyMatch(e -> isDelete(e, "users", 2L)));
            // positions only increase, and every batch ends with a last_in_batch event
            long prev = 0;
            for (Struct e : events) {
                ChangeEventFormat.Source s = ChangeEventFormat.readSource(e);
                assertTrue(s.batch() >= prev, "batch positions never go back");
                assertTrue(s.seq() <= s.batch());
                prev = s.batch();
            }
            assertTrue(ChangeEventFormat.readSource(events.get(events.size() - 1)).lastInBatch());
            // values: exact bits, whatever the column says
            Map<String, SqliteValue> u4 = replica.tables.get("users").get("[4]");
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(replica.tables.get("users").get("[7]").get("avatar").asDouble()));
            assertEquals(Double.POSITIVE_INFINITY, u4.get("n").asDouble());
            assertEquals(SqliteValue.integer(4611686018427387905L), replica.tables.get("users").get("[10]").get("n"), "an integer beyond 2^53 keeps all its bits");
            assertEquals(SqliteValue.text(new byte[] {(byte) 0xff, 0x41}), replica.tables.get("users").get("[5]").get("n"));
            assertEquals(SqliteValue.text("a\0b"), replica.tables.get("users").get("[6]").get("n"));
            assertEquals(SqliteValue.blob(new byte[0]), u4.get("avatar"));
            long deadline = System.currentTimeMillis() + 5000;
            while (feed.publishedSeq() < end && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertEquals(end, feed.publishedSeq(), "the feed's published position reaches the changelog's end");
        }
    }

    @Test
    void schemaChangesWhileStreamingAreCarriedWithoutLosingWrites() throws Exception {
        Path db = SqliteFiles.create(dir, "schema.db",
                "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)",
                "CREATE TABLE old (id INTEGER PRIMARY KEY, v TEXT)");
        long start = installCapture(db);
        Map<String, List<String>> keys = Map.of("items", List.of("id"), "notes", List.of("id"));
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start), TestKafka.bootstrap());
             EventTail tail = new EventTail(TestKafka.bootstrap(), feed.settings().topic())) {
            app(db, "INSERT INTO items VALUES (1, 'a'), (2, 'b'); INSERT INTO old VALUES (1, 'x');\n"
                    + "ALTER TABLE items ADD COLUMN price REAL DEFAULT 1.5;\n"
                    + "INSERT INTO items VALUES (3, 'c', 2.25); UPDATE items SET price = 9 WHERE id = 1;\n"
                    + "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n"
                    + "INSERT INTO notes VALUES (1, 'written before capture saw the table'), (2, 'me too');\n"
                    + "DROP TABLE old;\n");
            awaitCaptureRefreshed(db);
            app(db, "INSERT INTO notes VALUES (3, 'after'); UPDATE items SET name = 'B' WHERE id = 2;");
            List<Struct> events = tail.untilSeq(maxSeq(db), Duration.ofSeconds(30));
            Replica.keys(Map.of("items", List.of("id"), "notes", List.of("id"), "old", List.of("id"))); // old's row may be read before its drop
            Replica replica = new Replica().apply(events);
            assertEquals(Replica.of(db, keys, List.of()), replica.tables, "items and notes as SQLite has them, old gone");
            assertTrue(events.stream().anyMatch(e -> e.getString("op").equals("s") && "items".equals(table(e))
                    && e.getStruct("ddl").getArray("statements").toString().contains("price")), "the added column is announced");
            assertTrue(events.stream().anyMatch(e -> e.getString("op").equals("s") && "old".equals(table(e)) && !e.getStruct("ddl").getBoolean("exists")));
            int firstNotesRow = -1, notesSchema = -1;
            for (int i = 0; i < events.size(); i++) {
                if ("notes".equals(table(events.get(i))) && events.get(i).getString("op").equals("s") && notesSchema < 0) notesSchema = i;
                if ("notes".equals(table(events.get(i))) && !events.get(i).getString("op").equals("s") && firstNotesRow < 0) firstNotesRow = i;
            }
            assertTrue(notesSchema >= 0 && notesSchema < firstNotesRow, "a new table is announced before its rows");
        }
    }

    @Test
    void aChangeTheFeedCannotCarryStopsItLoudly() throws Exception {
        Path db = SqliteFiles.create(dir, "drop.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)");
        long start = installCapture(db);
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start), TestKafka.bootstrap())) {
            app(db, "INSERT INTO t VALUES (1, 'a', 'b'); ALTER TABLE t DROP COLUMN b;");
            assertTrue(feed.await(Duration.ofSeconds(30)), "the feed stops");
            assertEquals(io.replicator.core.ExitCode.DATA_LOSS, feed.failure().exitCode());
            assertTrue(feed.failure().getMessage().contains("column b was removed or renamed"), feed.failure().getMessage());
        }
    }

    @Test
    void vacuumRenumberingRowidsStopsTheFeed() throws Exception {
        Path db = SqliteFiles.create(dir, "vacuum.db", "CREATE TABLE log (line TEXT)", "INSERT INTO log VALUES ('a'), ('b'), ('c')");
        long start = installCapture(db);
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start), TestKafka.bootstrap())) {
            app(db, "DELETE FROM log WHERE line = 'a';");
            long delete = maxSeq(db);
            // the feed reads the delete and remembers the last row; a VACUUM before that would hide behind the logged delete
            Await.until("the feed published the delete (seq " + delete + ")", Duration.ofSeconds(30), () -> feed.publishedSeq() >= delete || feed.failure() != null,
                    () -> "published up to " + feed.publishedSeq() + ", failure " + feed.failure());
            assertNull(feed.failure(), "the feed runs before the VACUUM");
            app(db, "VACUUM;");
            assertTrue(feed.await(Duration.ofSeconds(30)), "the feed stops");
            assertTrue(feed.failure().getMessage().contains("renumbered"), feed.failure().getMessage());
        }
    }

    @Test
    void uninstallWhileStreamingStopsTheFeedWithAClearMessage() throws Exception {
        Path db = SqliteFiles.create(dir, "gone.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        long start = installCapture(db);
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start), TestKafka.bootstrap());
             EventTail tail = new EventTail(TestKafka.bootstrap(), feed.settings().topic())) {
            app(db, "INSERT INTO t VALUES (1);");
            tail.untilSeq(1, Duration.ofSeconds(30)); // the feed is running
            new CaptureInstaller(SqliteSource.of(db.toString())).uninstall();
            app(db, "INSERT INTO t VALUES (2);");
            assertTrue(feed.await(Duration.ofSeconds(30)), "the feed stops");
            assertTrue(feed.failure().getMessage().contains("capture was removed"), feed.failure().getMessage());
        }
    }

    @Test
    void publishedChangelogRowsArePrunedKeepingTheNewest() throws Exception {
        Path db = SqliteFiles.create(dir, "prune.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        long start = installCapture(db);
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start).withRetention(0, 100), TestKafka.bootstrap());
             EventTail tail = new EventTail(TestKafka.bootstrap(), feed.settings().topic())) {
            StringBuilder sql = new StringBuilder();
            for (int i = 1; i <= 200; i++) sql.append("INSERT INTO t VALUES (").append(i).append(", ").append(i).append(");\n");
            app(db, sql.toString());
            long max = maxSeq(db);
            assertEquals(200, max);
            tail.untilSeq(max, Duration.ofSeconds(30));
            long deadline = System.currentTimeMillis() + 20_000;
            while (changelogRows(db) > 1 && System.currentTimeMillis() < deadline) Thread.sleep(100);
            assertEquals(1, changelogRows(db), "everything published is pruned but the newest row");
            assertEquals(max, maxSeq(db));
            app(db, "INSERT INTO t VALUES (1000, 1);");
            assertEquals(max + 1, maxSeq(db), "seq keeps increasing after pruning");
            tail.untilSeq(max + 1, Duration.ofSeconds(30));
        }
    }

    static String table(Struct e) {
        return e.getStruct("source").getString("table");
    }

    static long changelogRows(Path db) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until capture has caught up with the application's schema (the feed refreshed it). */
    static void awaitCaptureRefreshed(Path db) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement();
                 var rs = s.executeQuery("SELECT (SELECT value FROM _replicator_meta WHERE name = 'schema_version'), (SELECT schema_version FROM pragma_schema_version)")) {
                rs.next();
                if (rs.getLong(1) == rs.getLong(2)) return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the feed did not refresh capture after the schema change");
    }

    static boolean isDelete(Struct e, String table, long id) {
        return e.getString("op").equals("d") && table.equals(e.getStruct("source").getString("table")) && e.getStruct("before").getInt64("id") == id;
    }

    static long maxSeq(Path db) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement();
             var rs = s.executeQuery("SELECT max(seq) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package io.replicator.feed;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.capture.CaptureInstaller;
import io.replicator.kafka.EmbeddedKafka;
import io.replicator.snapshot.source.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change feed end to end against a real broker: SQLite writes by the sqlite3 program → events in Kafka. */
class FeedIT {
    static EmbeddedKafka kafka;
    @TempDir
    static Path brokerDir;
    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(brokerDir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    /** Runs SQL through the sqlite3 command-line program, as an application would. */
    static void app(Path db, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", db.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "sqlite3 failed: " + out);
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
        try (ChangeFeed feed = ChangeFeed.start(settings(db, start), kafka.bootstrapServers());
             EventTail tail = new EventTail(kafka.bootstrapServers(), feed.settings().topic())) {
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
            assertEquals(feed.publishedSeq(), end);
        }
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

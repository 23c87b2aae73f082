package io.replicator.cutover;

import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.rollback.Rollback;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.TestKafka;
import io.replicator.testing.TestReplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prisma keeps a DateTime in SQLite as integer milliseconds since 1970 (UTC) and makes timestamp(3) on PostgreSQL.
 * The whole way: the snapshot and the sink turn the counts into timestamp(3) exactly, the cutover's verify compares
 * across the conversion, and rollback brings a date-time the application wrote on PostgreSQL back as a count again,
 * so Prisma reads SQLite as it left it.
 */
class PrismaDateTimeIT {
    @TempDir
    Path dir;

    @Test
    void millisecondCountsBecomeTimestamp3AndComeBackAsCounts() throws Exception {
        Path db = SqliteFiles.create(dir, "prisma.db",
                "CREATE TABLE \"_prisma_migrations\" (\"id\" TEXT PRIMARY KEY NOT NULL, \"checksum\" TEXT NOT NULL, \"finished_at\" DATETIME,"
                        + " \"migration_name\" TEXT NOT NULL, \"logs\" TEXT, \"rolled_back_at\" DATETIME, \"started_at\" DATETIME NOT NULL DEFAULT"
                        + " current_timestamp, \"applied_steps_count\" INTEGER UNSIGNED NOT NULL DEFAULT 0)",
                "CREATE TABLE \"Habit\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"name\" TEXT NOT NULL,"
                        + " \"createdAt\" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, \"doneAt\" DATETIME)",
                "INSERT INTO \"_prisma_migrations\" VALUES ('0f1e', 'abc', 1700000000123, '20231114_init', NULL, NULL, 1700000000001, 1)",
                "INSERT INTO \"Habit\" (\"name\", \"createdAt\", \"doneAt\") VALUES ('read', 1700000000123, NULL), ('run', -86400000, 1700000000999)");
        String schema = TestPostgres.freshSchema("prisma");
        FeedSettings fs = TestReplication.prepare(db, schema, dir.resolve("state"), TestPostgres.target());
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()))) {
            sqlite(db, "INSERT INTO \"Habit\" (\"name\", \"createdAt\") VALUES ('streamed', 1735689600000)",
                    "UPDATE \"Habit\" SET \"doneAt\" = 1735689600001 WHERE \"name\" = 'read'");
            Await.until("the sink applied seq 2", Duration.ofSeconds(30), () -> sink.appliedSeq() >= 2, () -> "at " + sink.appliedSeq() + ", failure " + sink.failure());
            assertEquals("timestamp(3) without time zone", pgValue("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\""
                    + schema + "\".\"Habit\"'::regclass AND attname = 'createdAt'"));
            assertEquals("timestamp(3) with time zone", pgValue("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\""
                    + schema + "\".\"_prisma_migrations\"'::regclass AND attname = 'finished_at'"));
            assertEquals("2023-11-14 22:13:20.123 / 2025-01-01 00:00:00.001", pgValue("SELECT \"createdAt\"::text || ' / ' || \"doneAt\"::text FROM \""
                    + schema + "\".\"Habit\" WHERE name = 'read'"));
            assertEquals("1969-12-31 00:00:00", pgValue("SELECT \"createdAt\"::text FROM \"" + schema + "\".\"Habit\" WHERE name = 'run'"));
            assertEquals("2025-01-01 00:00:00", pgValue("SELECT \"createdAt\"::text FROM \"" + schema + "\".\"Habit\" WHERE name = 'streamed'"));
            assertEquals("2023-11-14 22:13:20.123+00", pgValue("SELECT (finished_at AT TIME ZONE 'UTC')::text || '+00' FROM \"" + schema
                    + "\".\"_prisma_migrations\""));
            Cutover.Result r = new Cutover(SqliteSource.of(db.toString()), TestPostgres.target(), schema,
                    new Cutover.Options(Duration.ofSeconds(20), 1_000_000, Cutover.VerifyMode.FULL, null, false)).run();
            assertTrue(r.done(), r.reason());
        }
        // Prisma on PostgreSQL
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"" + schema + "\".\"Habit\" (name, \"createdAt\") VALUES ('on postgres', '2026-02-03 04:05:06.789')");
            s.execute("UPDATE \"" + schema + "\".\"Habit\" SET \"doneAt\" = '2026-03-01 00:00:00' WHERE name = 'run'");
        }
        Rollback.Result back = new Rollback(SqliteSource.of(db.toString()), TestPostgres.target(), schema).run();
        assertTrue(back.done(), back.reason());
        assertTrue(back.verify().equal(), () -> back.verify().toString());
        assertEquals("integer|1770091506789", sqliteValue(db, "SELECT typeof(\"createdAt\") || '|' || \"createdAt\" FROM \"Habit\" WHERE name = 'on postgres'"));
        assertEquals("integer|1772323200000", sqliteValue(db, "SELECT typeof(\"doneAt\") || '|' || \"doneAt\" FROM \"Habit\" WHERE name = 'run'"));
        assertEquals("integer|1735689600001", sqliteValue(db, "SELECT typeof(\"doneAt\") || '|' || \"doneAt\" FROM \"Habit\" WHERE name = 'read'"));
    }

    private static void sqlite(Path db, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    private static String sqliteValue(Path db, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String pgValue(String query) throws SQLException {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}

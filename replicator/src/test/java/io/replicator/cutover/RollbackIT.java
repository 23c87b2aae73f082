package io.replicator.cutover;

import io.replicator.core.ReplicatorException;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.rollback.Rollback;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.core.sqlite.SqliteSource;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The way back: after a cutover the application writes PostgreSQL (inserts with new identities, updates of every
 * kind of value, a moved key, deletes, a truncated table); rollback brings every one of those writes into SQLite,
 * proves both sides equal, makes SQLite writable and PostgreSQL read-only. A rollback that cannot be exact stops
 * loudly and leaves the application on PostgreSQL.
 */
class RollbackIT {
    @TempDir
    Path dir;

    private record Setup(Path db, String schema) {}

    private Setup cutOver(String name) throws Exception {
        Path db = SqliteFiles.create(dir, name + ".db",
                "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT, r REAL, n NUMERIC(10,2), at DATETIME, b BLOB)",
                "CREATE TABLE k (code TEXT PRIMARY KEY, qty INTEGER) WITHOUT ROWID",
                "CREATE TABLE nokey (x TEXT NOT NULL UNIQUE)",
                "CREATE TABLE gone (id INTEGER PRIMARY KEY, v TEXT)",
                "CREATE TABLE clock (id INTEGER PRIMARY KEY, tm TIME)",
                "INSERT INTO clock VALUES (1, '10:30'), (2, '23:59:59.999999')",
                "INSERT INTO t (v, r, n, at, b) SELECT 'seed ' || i, i / 3.0, i || '.25', '2024-01-02 03:04:05', x'00ff' FROM"
                        + " (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200) SELECT i FROM s)",
                "INSERT INTO k VALUES ('a', 1), ('b', 2), ('c', 3)",
                "INSERT INTO nokey VALUES ('one'), ('two')",
                "INSERT INTO gone VALUES (1, 'x'), (2, 'y')");
        String schema = TestPostgres.freshSchema(name);
        SqliteSource src = SqliteSource.of(db.toString());
        FeedSettings fs = TestReplication.prepare(db, schema, dir.resolve("state-" + name), TestPostgres.target());
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()))) {
            sqlite(db, "UPDATE k SET qty = 20 WHERE code = 'b'", "INSERT INTO clock VALUES (3, '07:00:00.5')");
            // applied: the sink runs and holds its lock
            Await.until("the sink applied seq 2", Duration.ofSeconds(20), () -> sink.appliedSeq() >= 2, () -> "at " + sink.appliedSeq() + ", failure " + sink.failure());
            Cutover.Result r = new Cutover(src, TestPostgres.target(), schema,
                    new Cutover.Options(Duration.ofSeconds(20), 1_000_000, Cutover.VerifyMode.FULL, null, false)).run();
            assertTrue(r.done(), r.reason());
        }
        return new Setup(db, schema);
    }

    private static void sqlite(Path db, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    private static void pg(String schema, String... sql) throws SQLException {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("SET search_path = \"" + schema + "\"");
            for (String q : sql) s.execute(q);
        }
    }

    private static String sqliteValue(Path db, String query) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void everyWriteMadeToPostgresComesBackToSqlite() throws Exception {
        Setup s = cutOver("rollback");
        SQLException fenced = assertThrows(SQLException.class, () -> sqlite(s.db(), "INSERT INTO t (v) VALUES ('refused')"));
        assertTrue(fenced.getMessage().contains("moved to PostgreSQL"), fenced.getMessage());

        // the application on PostgreSQL
        pg(s.schema(),
                "INSERT INTO t (v, r, n, at, b) VALUES ('written in PostgreSQL', 0.1::float8 + 0.2::float8, 12.50, '2025-06-07 08:09:10.123456', '\\x0102')",
                "UPDATE t SET r = -1.5e300, n = 99999999.99, v = 'ü 😀' WHERE id = 3",
                "UPDATE t SET at = NULL, b = NULL WHERE id = 4",
                "DELETE FROM t WHERE id IN (5, 6)",
                "UPDATE k SET code = 'z' WHERE code = 'a'",
                "INSERT INTO k VALUES ('new', 7)",
                "INSERT INTO nokey (x) VALUES ('three')",
                "TRUNCATE gone",
                "INSERT INTO gone VALUES (9, 'after truncate')",
                "INSERT INTO clock VALUES (4, '12:34:56.789')",
                "UPDATE clock SET tm = '00:00:01' WHERE id = 1");

        Rollback.Result r = new Rollback(SqliteSource.of(s.db().toString()), TestPostgres.target(), s.schema()).run();
        assertTrue(r.done(), r.reason());
        assertTrue(r.verify().equal(), () -> r.verify().toString());
        assertEquals("written in PostgreSQL", sqliteValue(s.db(), "SELECT v FROM t WHERE id = 201"), "the insert, with PostgreSQL's identity");
        assertEquals("1", sqliteValue(s.db(), "SELECT r = 0.1 + 0.2 FROM t WHERE id = 201"), "the double exactly");
        assertEquals("real", sqliteValue(s.db(), "SELECT typeof(r) FROM t WHERE id = 201"));
        assertEquals("2025-06-07 08:09:10.123456", sqliteValue(s.db(), "SELECT at FROM t WHERE id = 201"));
        assertEquals("0102", sqliteValue(s.db(), "SELECT hex(b) FROM t WHERE id = 201"));
        assertEquals("ü 😀", sqliteValue(s.db(), "SELECT v FROM t WHERE id = 3"));
        assertEquals(null, sqliteValue(s.db(), "SELECT at FROM t WHERE id = 4"));
        assertEquals("0", sqliteValue(s.db(), "SELECT count(*) FROM t WHERE id IN (5, 6)"));
        assertEquals("z,c,new,b", String.join(",", sqliteValue(s.db(), "SELECT group_concat(code) FROM (SELECT code FROM k ORDER BY qty)")));
        assertEquals("one,two,three", sqliteValue(s.db(), "SELECT group_concat(x) FROM (SELECT x FROM nokey ORDER BY rowid)"));
        assertEquals("9", sqliteValue(s.db(), "SELECT group_concat(id) FROM gone"), "a truncated table comes back whole");
        assertEquals("00:00:01|23:59:59.999999|07:00:00.5|12:34:56.789",
                sqliteValue(s.db(), "SELECT group_concat(tm, '|') FROM (SELECT tm FROM clock ORDER BY id)"), "times of day, as SQLite's time() reads them");

        sqlite(s.db(), "INSERT INTO t (v) VALUES ('SQLite takes writes again')");
        SQLException refused = assertThrows(SQLException.class, () -> pg(s.schema(), "INSERT INTO t (v) VALUES ('refused')"));
        assertTrue(refused.getMessage().contains("moved back to SQLite"), refused.getMessage());
        try (Connection pg = TestPostgres.connect(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT status FROM replicator.cutover WHERE target_schema = '" + s.schema() + "'")) {
            rs.next();
            assertEquals("rolled back", rs.getString(1));
        }
        assertThrows(ReplicatorException.class, () -> new Rollback(SqliteSource.of(s.db().toString()), TestPostgres.target(), s.schema()).run(),
                "nothing to roll back twice");
    }

    @Test
    void aValueSqliteCannotHoldStopsLoudlyAndTheApplicationStaysOnPostgres() throws Exception {
        Setup s = cutOver("rollbacknan");
        pg(s.schema(), "UPDATE t SET r = 'NaN' WHERE id = 10");
        ReplicatorException e = assertThrows(ReplicatorException.class,
                () -> new Rollback(SqliteSource.of(s.db().toString()), TestPostgres.target(), s.schema()).run());
        assertEquals(3, e.exitCode().code, e.getMessage());
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        pg(s.schema(), "INSERT INTO t (v) VALUES ('PostgreSQL still takes writes')");
        assertThrows(SQLException.class, () -> sqlite(s.db(), "INSERT INTO t (v) VALUES ('SQLite stays fenced')"));
        try (Connection pg = TestPostgres.connect(); Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, reason FROM replicator.cutover WHERE target_schema = '" + s.schema() + "'")) {
            rs.next();
            assertEquals("done", rs.getString(1));
            assertTrue(rs.getString(2).startsWith("rollback aborted"), rs.getString(2));
        }
        assertFalse(sqliteValue(s.db(), "SELECT count(*) FROM t WHERE v = 'PostgreSQL still takes writes'").equals("1"));
    }
}

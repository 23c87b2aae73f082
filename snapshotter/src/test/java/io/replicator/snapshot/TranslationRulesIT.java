package io.replicator.snapshot;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.verify.VerifyReport;
import io.replicator.translate.plan.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schema translation: names, keys, constraints, indexes, defaults, identities, views. */
class TranslationRulesIT {
    @TempDir
    Path dir;

    @Test
    void schemaFeaturesAreCarriedOver() throws Exception {
        Path f = SqliteFiles.create(dir, "app.db",
                "CREATE TABLE \"Order Details\" (\"references\" INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty >= 0),"
                        + " note TEXT DEFAULT 'none', created TEXT DEFAULT CURRENT_TIMESTAMP, stamp TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),"
                        + " flag BOOLEAN DEFAULT 0, UNIQUE (user, qty))",
                "CREATE INDEX od_multi ON \"Order Details\" (qty DESC, user)",
                "CREATE TABLE kv (k TEXT, v TEXT, PRIMARY KEY (k)) WITHOUT ROWID",
                "CREATE TABLE nopk (a TEXT, b REAL)",
                "CREATE TABLE child (id INTEGER PRIMARY KEY, od INTEGER REFERENCES \"Order Details\"(\"references\") ON DELETE CASCADE)",
                "CREATE TABLE orphan (id INTEGER PRIMARY KEY, od INTEGER REFERENCES \"Order Details\"(\"references\"))",
                "CREATE VIEW big_orders AS SELECT \"references\", qty FROM \"Order Details\" WHERE qty > 5",
                "INSERT INTO \"Order Details\" (user, qty) VALUES ('ann', 3), ('bob', 10)",
                "DELETE FROM \"Order Details\" WHERE \"references\" = 2",
                "INSERT INTO \"Order Details\" (user, qty) VALUES ('cy', 7)",
                "INSERT INTO kv VALUES ('a', '1'), ('b', '2')",
                "INSERT INTO nopk VALUES ('x', 1.5), ('x', 1.5), (NULL, NULL)",
                "INSERT INTO child VALUES (1, 1)",
                "INSERT INTO orphan VALUES (1, 999)");
        String schema = TestPostgres.freshSchema("rules");
        SnapshotReport r = Snap.snapshot(f, schema);
        assertTrue(Snap.verify(f, schema).equal());
        String od = "\"" + schema + "\".\"Order Details\"";
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            // AUTOINCREMENT: sqlite_sequence says 3, so PostgreSQL continues at 4 and never reuses 2
            try (ResultSet rs = s.executeQuery("INSERT INTO " + od + " (\"user\", qty) VALUES ('dee', 1) RETURNING \"references\", note, created, stamp, flag")) {
                rs.next();
                assertEquals(4, rs.getLong(1));
                assertEquals("none", rs.getString(2));
                assertTrue(rs.getString(3).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"), "CURRENT_TIMESTAMP default keeps SQLite's text form: " + rs.getString(3));
                assertTrue(rs.getString(4).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}"), "strftime default: " + rs.getString(4));
                assertEquals(false, rs.getBoolean(5));
            }
            // NOT NULL, CHECK and UNIQUE hold in PostgreSQL
            assertThrows(SQLException.class, () -> s.execute("INSERT INTO " + od + " (\"user\", qty) VALUES (NULL, 1)"));
            assertThrows(SQLException.class, () -> s.execute("INSERT INTO " + od + " (\"user\", qty) VALUES ('x', -1)"));
            assertThrows(SQLException.class, () -> s.execute("INSERT INTO " + od + " (\"user\", qty) VALUES ('ann', 3)"));
            try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = '" + schema + "' AND indexname = 'od_multi'")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).contains("qty DESC"), rs.getString(1));
            }
            // WITHOUT ROWID keeps its key; the table without a key gets the rowid column
            assertEquals(2, RealFilesIT.count("SELECT count(*) FROM \"" + schema + "\".kv"));
            try (ResultSet rs = s.executeQuery("SELECT _sqlite_rowid, a, b FROM \"" + schema + "\".nopk ORDER BY _sqlite_rowid")) {
                int n = 0;
                while (rs.next()) assertEquals(++n, rs.getLong(1));
                assertEquals(3, n, "duplicate rows of a keyless table are all kept");
            }
            // FKs: valid one created and enforced (deferrable), violated one added NOT VALID with a warning
            assertEquals(2, RealFilesIT.count("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '" + schema + "' AND c.contype = 'f'"));
            assertEquals(1, RealFilesIT.count("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '" + schema + "' AND c.contype = 'f' AND NOT c.convalidated"));
            assertTrue(r.problems().stream().anyMatch(p -> p.level() == Problem.Level.WARNING && p.message().contains("NOT VALID")), r.problems().toString());
            // the view exists and works
            assertEquals(1, RealFilesIT.count("SELECT count(*) FROM \"" + schema + "\".big_orders"), "only cy (qty 7) is above 5");
        }
    }

    @Test
    void declaredTypesTheDataDoesNotFitFallBackToTheValuesOwnTypeAfterARecopy() throws Exception {
        Path f = SqliteFiles.create(dir, "fallback.db",
                "CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME, zoned TIMESTAMP, code VARCHAR(3), ok BOOLEAN, doc JSON, n SMALLINT)",
                "INSERT INTO ev VALUES (1, '2024-01-01 10:00:00', '2024-01-01 10:00:00', 'abc', 1, '{\"a\":1}', 5)",
                "INSERT INTO ev VALUES (2, 'yesterday', '2024-01-01T10:00:00+02:00', 'abcd', 2, '{\"a\":1,\"a\":2}', 70000)");
        String schema = TestPostgres.freshSchema("rules");
        SnapshotReport r = Snap.snapshot(f, schema);
        assertTrue(Snap.verify(f, schema).equal());
        try (Connection c = TestPostgres.connect()) {
            assertEquals("text", EdgeValuesIT.columnType(c, schema, "ev", "at"));
            assertEquals("timestamp with time zone", EdgeValuesIT.columnType(c, schema, "ev", "zoned"));
            assertEquals("text", EdgeValuesIT.columnType(c, schema, "ev", "code"));
            assertEquals("bigint", EdgeValuesIT.columnType(c, schema, "ev", "ok"));
            assertEquals("text", EdgeValuesIT.columnType(c, schema, "ev", "doc"), "jsonb would keep one of the duplicate keys");
            assertEquals("bigint", EdgeValuesIT.columnType(c, schema, "ev", "n"));
        }
        assertTrue(r.problems().stream().anyMatch(p -> p.level() == Problem.Level.NOTE && "at".equals(p.column())), r.problems().toString());
        assertEquals(2, r.rows());
    }

    @Test
    void aTimeOfDayIsTimeWhenEveryValueIsOneAndTextOtherwise() throws Exception {
        Path f = SqliteFiles.create(dir, "time.db",
                "CREATE TABLE shift (id INTEGER PRIMARY KEY, starts TIME NOT NULL, ends TIME, opens TIME DEFAULT CURRENT_TIME, note TIME)",
                "INSERT INTO shift (id, starts, ends, note) VALUES (1, '08:00', '16:30:00', '10:00'), (2, '22:00:00.000001', NULL, 'noon'),"
                        + " (3, '00:00:00', '23:59:59.999999', '10:00')");
        String schema = TestPostgres.freshSchema("rules_time");
        Snap.snapshot(f, schema);
        assertTrue(Snap.verify(f, schema).equal());
        try (Connection c = TestPostgres.connect(); Statement st = c.createStatement()) {
            assertEquals("time without time zone", EdgeValuesIT.columnType(c, schema, "shift", "starts"));
            assertEquals("time without time zone", EdgeValuesIT.columnType(c, schema, "shift", "ends"));
            assertEquals("text", EdgeValuesIT.columnType(c, schema, "shift", "note"), "'noon' is no time of day time can hold");
            try (ResultSet rs = st.executeQuery("SELECT starts::text, ends::text FROM \"" + schema + "\".shift ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals("08:00:00", rs.getString(1));
                assertTrue(rs.next());
                assertEquals("22:00:00.000001", rs.getString(1));
                assertTrue(rs.next());
                assertEquals("23:59:59.999999", rs.getString(2));
            }
            st.execute("INSERT INTO \"" + schema + "\".shift (id, starts) VALUES (4, '09:00')");
            try (ResultSet rs = st.executeQuery("SELECT opens IS NOT NULL FROM \"" + schema + "\".shift WHERE id = 4")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1), "CURRENT_TIME is kept as a default");
            }
        }
    }

    @Test
    void realNoiseIsRoundedToTheScaleOnlyWhereAskedAndReportedPerColumn() throws Exception {
        Path f = SqliteFiles.create(dir, "noise.db",
                "CREATE TABLE orders (id INTEGER PRIMARY KEY, total NUMERIC(12, 4), other NUMERIC(12, 4))",
                "INSERT INTO orders VALUES (1, 12.459000000000001, 12.459000000000001), (2, 3.5, 3.5), (3, 7, 7)");
        String schema = TestPostgres.freshSchema("rules_round");
        PlanOptions po = PlanOptions.of(schema, List.of(), "refuse").roundingToScale(List.of("orders.total"));
        SnapshotReport r = new Snapshotter(SqliteSource.of(f.toString()), TestPostgres.target(), new SnapshotOptions(po, 1, JournalPolicy.REFUSE, false),
                SnapshotProgress.NONE).run();
        try (Connection c = TestPostgres.connect(); Statement st = c.createStatement()) {
            assertEquals("numeric(12,4)", EdgeValuesIT.columnType(c, schema, "orders", "total"));
            assertEquals("numeric", EdgeValuesIT.columnType(c, schema, "orders", "other"), "not asked: the exact value needs more places");
            try (ResultSet rs = st.executeQuery("SELECT total::text, other::text FROM \"" + schema + "\".orders WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("12.4590", rs.getString(1));
                assertEquals("12.459000000000001", rs.getString(2));
            }
        }
        assertTrue(r.problems().stream().anyMatch(p -> "total".equals(p.column()) && p.message().contains("1 of 2 now change")), r.problems().toString());
        VerifyReport v = Snap.verify(f, schema);
        assertTrue(v.equal(), () -> "verify compares the rounded values: " + v);
    }

    @Test
    void longNamesThatCollideAreRenamedDeterministicallyAndReported() throws Exception {
        String a = "x".repeat(62) + "_a1";
        String b = "x".repeat(62) + "_b2";
        Path f = SqliteFiles.create(dir, "long.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, " + a + " INTEGER, " + b + " INTEGER)",
                "INSERT INTO t VALUES (1, 10, 20)");
        String schema = TestPostgres.freshSchema("rules");
        SnapshotReport r = Snap.snapshot(f, schema);
        assertTrue(Snap.verify(f, schema).equal());
        assertEquals(2, r.problems().stream().filter(p -> p.message().contains("renamed")).count(), r.problems().toString());
        assertEquals(3, RealFilesIT.count("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + schema + "' AND table_name = 't'"));
        assertEquals(30, RealFilesIT.count("SELECT sum(c) FROM (SELECT (to_jsonb(t) - 'id') AS j FROM \"" + schema + "\".t) s, LATERAL (SELECT sum(value::text::int) c FROM jsonb_each(j)) x"));
    }

    @Test
    void secondSnapshotRefusesUntilDropIsGiven() throws Exception {
        Path f = SqliteFiles.create(dir, "again.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        String schema = TestPostgres.freshSchema("rules");
        Snap.snapshot(f, schema);
        io.replicator.core.ReplicatorException e = assertThrows(io.replicator.core.ReplicatorException.class, () -> Snap.snapshot(f, schema));
        assertTrue(e.getMessage().contains("already holds a complete snapshot") && e.getMessage().contains("--drop"), e.getMessage());
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES (2, 'b')");
        }
        Snap.snapshot(f, schema, io.replicator.core.sqlite.JournalPolicy.REFUSE, java.util.List.of(), io.replicator.translate.types.ConflictPolicy.REFUSE, true);
        assertTrue(Snap.verify(f, schema).equal());
        assertEquals(2, RealFilesIT.count("SELECT count(*) FROM \"" + schema + "\".t"));
    }
}

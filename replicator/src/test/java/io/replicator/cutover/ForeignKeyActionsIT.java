package io.replicator.cutover;

import io.replicator.cli.CliStatusText;

import io.replicator.core.PostgresUrl;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.ApplySession;
import io.replicator.sink.Orphans;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.state.SinkState;
import io.replicator.capture.CaptureStatus;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.status.StatusReport;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.Sqlite3;
import io.replicator.testing.TestKafka;
import io.replicator.testing.TestReplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink does what SQLite did and nothing more. An application with foreign keys off (the default of sqlite3,
 * Python's sqlite3 and SQLAlchemy) deletes a parent: SQLite keeps its children, so PostgreSQL must too — no ON
 * DELETE CASCADE, no SET NULL, no trigger of PostgreSQL's own. The orphans are counted for status and the cutover
 * refuses to flip over them unless asked to.
 */
class ForeignKeyActionsIT {
    @TempDir
    Path dir;

    private static final String[] SCHEMA = {
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE, v TEXT)",
            "CREATE TABLE note (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE SET NULL)",
            "INSERT INTO parent VALUES (1, 'one'), (2, 'two')",
            "INSERT INTO child VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 2, 'd')",
            "INSERT INTO note VALUES (1, 1), (2, 2)"};

    @Test
    void aParentDeletedWithForeignKeysOffLeavesItsChildrenInPostgresAndTheCutoverRefuses() throws Exception {
        Path db = SqliteFiles.create(dir, "fkoff.db", SCHEMA);
        String schema = TestPostgres.freshSchema("fkoff");
        FeedSettings fs = TestReplication.prepare(db, schema, dir.resolve("state"), TestPostgres.target());
        auditTrigger(TestPostgres.target(), schema);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.builder(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()).maxBatchEvents(1000).build())) {
            Sqlite3.exec(db, "DELETE FROM parent WHERE id = 1; UPDATE child SET v = 'still here' WHERE id = 2;");
            awaitApplied(sink, db);
            assertEquals(ApplySession.Mode.REPLICA_ROLE, sink.applyMode(), "the test role is a superuser: it may set the replica role");
            assertSameRows(db, schema);
            assertEquals(0, count(schema, "audit"), "a trigger of PostgreSQL's own did not fire for the sink");

            Orphans.Report r = checkAndStore(schema);
            assertEquals(3, r.total(), "child 1 and 2, note 1: " + r.describe());
            Map<String, Object> status = StatusReport.build(SqliteSource.of(db.toString()),
                    dir.resolve("state"), TestPostgres.target(), schema);
            @SuppressWarnings("unchecked")
            Map<String, Object> orphans = (Map<String, Object>) status.get("orphans");
            assertEquals(3L, orphans.get("rows"), String.valueOf(status));
            assertTrue(String.valueOf(orphans.get("constraints")).contains("\"id\": 2, \"parent_id\": 1"), String.valueOf(orphans));
            CliStatusText.assertShowsOrphans(db, schema, dir.resolve("state"), 3);

            Cutover.Result refused = cutover(db, schema, false);
            assertFalse(refused.done());
            assertTrue(refused.orphansRefused());
            assertEquals(-1, refused.finalSeq(), "refused before fencing: no write pause");
            assertTrue(refused.reason().contains("child_parent_id_fkey") || refused.reason().contains("child"), refused.reason());
            assertTrue(refused.reason().contains("--allow-orphans"), refused.reason());
            Sqlite3.exec(db, "INSERT INTO parent VALUES (3, 'SQLite still takes writes');");
            awaitApplied(sink, db);

            Cutover.Result done = cutover(db, schema, true);
            assertTrue(done.done(), done.reason());
            assertEquals(List.of("NOT VALID"), notValidKeys(schema, "child"), "the key rows break is NOT VALID after the flip");
        }
    }

    /**
     * A role that may not set session_replication_role: the foreign keys and triggers are held aside while
     * replicating and come back, by their own names, at the cutover.
     */
    @Test
    void withoutTheReplicaRoleForeignKeysAndTriggersAreHeldAsideAndPutBackAtCutover() throws Exception {
        Path db = SqliteFiles.create(dir, "plain.db", SCHEMA);
        String schema = TestPostgres.freshSchema("plainrole");
        FeedSettings fs = TestReplication.prepare(db, schema, dir.resolve("state-plain"), TestPostgres.target());
        auditTrigger(TestPostgres.target(), schema);
        PostgresUrl plain = plainRole(schema);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.builder(TestKafka.bootstrap(), fs.topic(), schema, plain).maxBatchEvents(1000).build())) {
            Sqlite3.exec(db, "DELETE FROM parent WHERE id = 1;");
            awaitApplied(sink, db);
            assertEquals(ApplySession.Mode.HELD_ASIDE, sink.applyMode());
            assertSameRows(db, schema);
            assertEquals(0, count(schema, "audit"));
            assertEquals(List.of(), notValidKeys(schema, "child"), "held aside: no foreign key on child while replicating");

            assertEquals(3, checkAndStore(schema).total());
            Cutover.Result done = cutover(db, schema, true);
            assertTrue(done.done(), done.reason());
            assertEquals(List.of("NOT VALID"), notValidKeys(schema, "child"), "put back under its own name, NOT VALID (rows break it)");
            assertEquals(List.of("NOT VALID"), notValidKeys(schema, "note"));
            try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO \"" + schema + "\".parent VALUES (10, 'after the flip')");
                assertEquals(1, count(schema, "audit"), "the trigger is enabled again after the cutover");
            }
        }
    }

    private static Cutover.Result cutover(Path db, String schema, boolean allowOrphans) {
        return new Cutover(SqliteSource.of(db.toString()), TestPostgres.target(), schema,
                new Cutover.Options(Duration.ofSeconds(20), 1_000_000, Cutover.VerifyMode.FULL, null, allowOrphans)).run();
    }

    private static Orphans.Report checkAndStore(String schema) throws Exception {
        try (Connection c = TestPostgres.connect()) {
            Orphans.Report r = Orphans.check(c, schema);
            Orphans.store(c, schema, r);
            return r;
        }
    }

    /** A PostgreSQL-side trigger (as an application or a DBA might add) that records every write to parent. */
    private static void auditTrigger(PostgresUrl target, String schema) throws Exception {
        try (Connection c = target.connect("test"); Statement s = c.createStatement()) {
            String q = "\"" + schema + "\"";
            s.execute("CREATE TABLE " + q + ".audit (at timestamptz DEFAULT now(), op text)");
            s.execute("CREATE FUNCTION " + q + ".audit_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO " + q
                    + ".audit (op) VALUES (TG_OP); RETURN NULL; END $$");
            s.execute("CREATE TRIGGER parent_audit AFTER INSERT OR UPDATE OR DELETE ON " + q + ".parent FOR EACH ROW EXECUTE FUNCTION " + q + ".audit_fn()");
        }
    }

    /** A login role without superuser that owns the schema's tables and may use the replicator's state tables. */
    private static PostgresUrl plainRole(String schema) throws Exception {
        String role = "plain_" + ProcessHandle.current().pid();
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN CREATE ROLE " + role + " LOGIN; END IF; END $$");
            s.execute("GRANT USAGE, CREATE ON SCHEMA replicator TO " + role);
            s.execute("GRANT ALL ON ALL TABLES IN SCHEMA replicator TO " + role);
            s.execute("GRANT ALL ON SCHEMA \"" + schema + "\" TO " + role);
            for (String t : List.of("parent", "child", "note", "audit")) s.execute("ALTER TABLE \"" + schema + "\"." + t + " OWNER TO " + role);
        }
        PostgresUrl t = TestPostgres.target();
        return PostgresUrl.parse("postgresql://" + role + "@" + t.host() + ":" + t.port() + "/" + t.database());
    }

    private static void awaitApplied(Sink sink, Path db) throws Exception {
        long end = CaptureStatus.read(SqliteSource.of(db.toString())).capturedSeq();
        long deadline = System.currentTimeMillis() + 30_000;
        while (sink.appliedSeq() < end) {
            if (sink.failure() != null) throw sink.failure();
            assertTrue(System.currentTimeMillis() < deadline, "the sink did not reach seq " + end + " (at " + sink.appliedSeq() + ")");
            Thread.sleep(10);
        }
    }

    private static void assertSameRows(Path db, String schema) throws Exception {
        for (String t : List.of("parent", "child", "note")) {
            assertEquals(rows(SqliteSource.of(db.toString()).openReadOnly(), "\"" + t + "\""), rows(TestPostgres.connect(), "\"" + schema + "\"." + t), t);
        }
    }

    private static List<String> rows(Connection c, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (c; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) b.append(i > 1 ? "|" : "").append(rs.getString(i));
                out.add(b.toString());
            }
        }
        return out;
    }

    private static long count(String schema, String table) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + schema + "\"." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** "NOT VALID" per foreign key of {@code table} that is not validated, "VALID" per validated one. */
    private static List<String> notValidKeys(String schema, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = '\"" + schema + "\"." + table + "'::regclass")) {
            while (rs.next()) out.add(rs.getBoolean(1) ? "VALID" : "NOT VALID");
        }
        return out;
    }
}

package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.capture.CaptureInstaller;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.state.SinkState;
import io.replicator.state.SnapshotState;
import io.replicator.state.SnapshotStatus;
import io.replicator.core.sqlite.SqliteSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code status} on every state the replicator stores: each answers exit 0 with the phase it is in, in text and
 * JSON. Regression test for a NullPointerException when the sink's position was at 0 with no batch time yet (as
 * after `run` stopped with exit 3 on its first batch).
 */
class StatusIT {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Setup(Path db, String schema) {}

    private Setup setup(String name) throws Exception {
        Path db = SqliteFiles.create(dir, name + ".db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        return new Setup(db, TestPostgres.freshSchema(name));
    }

    private JsonNode status(Setup s) throws Exception {
        String[] args = {"status", "--sqlite", s.db().toString(), "--postgres", TestPostgres.url(), "--schema", s.schema(),
                "--state-dir", dir.resolve("state").toString()};
        CliIT.Run text = CliIT.run(args);
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("phase"), text.out());
        String[] withJson = java.util.Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        CliIT.Run json = CliIT.run(withJson);
        assertEquals(0, json.code(), json.err());
        return JSON.readTree(json.out());
    }

    private static void sql(String... statements) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            for (String x : statements) s.execute(x);
        }
    }

    @Test
    void nothingStoredYet() throws Exception {
        JsonNode r = status(setup("st_none"));
        assertEquals("not started", r.get("phase").asText());
        assertEquals("none", r.get("snapshot_status").asText());
    }

    @Test
    void snapshotRunningFailedAndDone() throws Exception {
        Setup s = setup("st_snap");
        try (Connection c = TestPostgres.connect()) {
            SnapshotState.ensure(c);
            SnapshotState.start(c, s.schema(), s.db().toString(), 1L, null);
            assertEquals("snapshot (running)", status(s).get("phase").asText());
            SnapshotState.finish(c, s.schema(), SnapshotStatus.FAILED, "disk full");
            assertEquals("snapshot (failed)", status(s).get("phase").asText());
            SnapshotState.finish(c, s.schema(), SnapshotStatus.DONE, null);
            assertEquals("snapshot done, not applying yet", status(s).get("phase").asText());
        }
    }

    @Test
    void sinkAtZeroWithNoBatchApplied() throws Exception {
        Setup s = setup("st_zero");
        try (Connection c = TestPostgres.connect()) {
            SnapshotState.ensure(c);
            SnapshotState.start(c, s.schema(), s.db().toString(), 0L, null);
            SnapshotState.finish(c, s.schema(), SnapshotStatus.DONE, null);
            SinkState.ensure(c);
            SinkState.reset(c, s.schema(), "replicator.st_zero", 0, -1);
        }
        new io.replicator.capture.CaptureInstaller(SqliteSource.of(s.db().toString())).install();
        io.replicator.testing.Sqlite3.exec(s.db(), "INSERT INTO t VALUES (2, 'b');");
        JsonNode r = status(s);
        assertEquals("streaming", r.get("phase").asText());
        assertEquals(0, r.get("applied_seq").asLong());
        assertEquals(1, r.get("apply_lag_changes").asLong());
        assertTrue(r.get("apply_lag_ms").isNull(), "the lag's age is unknown before the first batch: " + r);
    }

    @Test
    void streamingCutOverAndRolledBack() throws Exception {
        Setup s = setup("st_cut");
        try (Connection c = TestPostgres.connect()) {
            SnapshotState.ensure(c);
            SnapshotState.start(c, s.schema(), s.db().toString(), 0L, null);
            SnapshotState.finish(c, s.schema(), SnapshotStatus.DONE, null);
            SinkState.ensure(c);
            SinkState.reset(c, s.schema(), "replicator.st_cut", 0, -1);
        }
        sql("UPDATE replicator.sink_position SET source_ts_ms = 1700000000000 WHERE target_schema = '" + s.schema() + "'");
        assertEquals("streaming", status(s).get("phase").asText());
        sql("CREATE TABLE IF NOT EXISTS replicator.cutover (target_schema text PRIMARY KEY, status text NOT NULL, final_seq bigint,"
                        + " write_pause_ms bigint, at timestamptz NOT NULL DEFAULT clock_timestamp(), reason text)",
                "INSERT INTO replicator.cutover (target_schema, status, final_seq, write_pause_ms) VALUES ('" + s.schema() + "', 'done', 0, 12)");
        JsonNode cut = status(s);
        assertEquals("cutover done", cut.get("phase").asText());
        assertEquals(12, cut.get("cutover_write_pause_ms").asLong());
        sql("UPDATE replicator.cutover SET status = 'rolled back' WHERE target_schema = '" + s.schema() + "'");
        assertEquals("rolled back to SQLite", status(s).get("phase").asText());
        sql("UPDATE replicator.cutover SET status = 'aborted', final_seq = NULL, write_pause_ms = NULL, reason = 'orphans' WHERE target_schema = '"
                + s.schema() + "'");
        JsonNode refused = status(s);
        assertEquals("streaming", refused.get("phase").asText());
        assertEquals("orphans", refused.get("cutover_reason").asText());
    }
}

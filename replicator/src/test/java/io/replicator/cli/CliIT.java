package io.replicator.cli;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The user-facing contract: commands, flags and exit codes (0 ok, 1 differences, 2 config, 3 loss, 4 runtime). */
class CliIT {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpAndBadArguments() {
        assertEquals(0, run("--help").code());
        assertEquals(0, run("snapshot", "--help").code());
        Run unknown = run("snapshot", "--sqlite", "x.db", "--frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--frobnicate"), unknown.err());
        Run missing = run("plan", "--sqlite", dir.resolve("nope.db").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        Run badType = run("plan", "--sqlite", dir.resolve("nope.db").toString(), "--type", "t.c=float4");
        assertEquals(2, badType.code());
    }

    @Test
    void notASqliteFileIsAConfigError() throws Exception {
        Path junk = dir.resolve("junk.db");
        java.nio.file.Files.writeString(junk, "hello, not a database");
        Run r = run("plan", "--sqlite", junk.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a SQLite 3 database"), r.err());
    }

    @Test
    void unreachablePostgresFailsFastWithoutThePassword() throws Exception {
        Path f = SqliteFiles.create(dir, "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        long t0 = System.nanoTime();
        Run r = run("snapshot", "--sqlite", f.toString(), "--postgres", "postgresql://app:TopSecret99@127.0.0.1:1/db");
        assertTrue((System.nanoTime() - t0) / 1e9 < 8);
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains("127.0.0.1:1"), r.err());
        assertFalse((r.out() + r.err()).contains("TopSecret99"), "the password must never be printed");
    }

    @Test
    void lossIsExitThreeAndDifferencesAreExitOne() throws Exception {
        String url = TestPostgres.url();
        Path mismatch = SqliteFiles.copyOf("pgloader_type-mismatch.db", dir);
        Run plan = run("plan", "--sqlite", mismatch.toString());
        assertEquals(3, plan.code());
        assertTrue(plan.out().contains("products.qty"), plan.out());
        String schema = TestPostgres.freshSchema("cli");
        Run snap = run("snapshot", "--sqlite", mismatch.toString(), "--postgres", url, "--schema", schema, "--rollback-journal=lock");
        assertEquals(3, snap.code());
        assertTrue(snap.err().contains("products.qty") && snap.err().contains("'lots-of-it'"), snap.err());

        Run ok = run("snapshot", "--sqlite", mismatch.toString(), "--postgres", url, "--schema", schema, "--rollback-journal=lock",
                "--type", "products.qty=text", "--json");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("\"rows\" : 3"), ok.out());
        assertEquals(0, run("verify", "--sqlite", mismatch.toString(), "--postgres", url, "--schema", schema).code());
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE \"" + schema + "\".products SET qty = '11' WHERE id = 1");
        }
        Run diff = run("verify", "--sqlite", mismatch.toString(), "--postgres", url, "--schema", schema);
        assertEquals(1, diff.code());
        assertTrue(diff.out().contains("changed id=1"), diff.out());
    }

    @Test
    void streamNeedsAFinishedSnapshotTakenWithCaptureAndStatusTellsWhereThingsStand() throws Exception {
        String url = TestPostgres.url();
        Path f = SqliteFiles.create(dir, "s.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        String schema = TestPostgres.freshSchema("cli_stream");
        Run none = run("stream", "--sqlite", f.toString(), "--postgres", url, "--schema", schema, "--state-dir", dir.resolve("st").toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("holds no finished snapshot") && none.err().contains("bin/replicator install"), none.err());
        Run notInstalled = run("status", "--sqlite", f.toString(), "--state-dir", dir.resolve("st").toString());
        assertEquals(0, notInstalled.code());
        assertTrue(notInstalled.out().contains("capture is not installed"), notInstalled.out());

        assertEquals(0, run("snapshot", "--sqlite", f.toString(), "--postgres", url, "--schema", schema).code());
        Run noCapture = run("stream", "--sqlite", f.toString(), "--postgres", url, "--schema", schema, "--state-dir", dir.resolve("st").toString());
        assertEquals(2, noCapture.code(), noCapture.err());
        assertTrue(noCapture.err().contains("without change capture installed"), noCapture.err());

        assertEquals(0, run("install", "--sqlite", f.toString()).code());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f); java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO t VALUES (2, 'b')");
        }
        Run status = run("status", "--sqlite", f.toString(), "--state-dir", dir.resolve("st").toString(), "--postgres", url, "--schema", schema, "--json");
        assertEquals(0, status.code(), status.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out());
        assertEquals(1, j.get("captured_seq").asLong(), status.out());
        assertEquals(1, j.get("changelog_rows").asLong());
        assertEquals("done", j.get("snapshot_status").asText());
        assertEquals(1, j.get("snapshot_rows").get("t").asLong());
    }

    @Test
    void optionsComeFromApplicationYmlWhenNotOnTheCommandLineAndUnknownPropertiesAreRefused() throws Exception {
        Path f = SqliteFiles.create(dir, "conf.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        Path yml = dir.resolve("application.yml");
        try {
            System.setProperty("replicator.config", yml.toString());
            java.nio.file.Files.writeString(yml, "replicator:\n  sqlite: " + f + "\n  schema: from_yaml\n");
            Run plan = run("plan");
            assertEquals(0, plan.code(), plan.err());
            assertTrue(plan.out().contains("\"from_yaml\".\"t\""), plan.out());
            Run flagWins = run("plan", "--schema", "from_flag");
            assertTrue(flagWins.out().contains("\"from_flag\".\"t\""), flagWins.out());
            java.nio.file.Files.writeString(yml, "replicator:\n  sqlite: " + f + "\n  statedir: /tmp/x\n");
            Run unknown = run("plan");
            assertEquals(2, unknown.code());
            assertTrue(unknown.err().contains("unknown property replicator.statedir"), unknown.err());
        } finally {
            System.clearProperty("replicator.config");
        }
    }
}

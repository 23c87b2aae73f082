package io.replicator.cli;

import io.replicator.core.PostgresUrl;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.state.SnapshotState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input catalogue: each input an operator can get wrong, run through the real CLI. Every case checks
 * the exit class, that the failure is one short {@code error:} message naming what failed and what to do, that
 * no stack trace and no password is printed, and that a failed snapshot leaves no run row that says done.
 * The PostgreSQL URL always carries a password (accepted by trust authentication) so that any leak shows.
 */
class BadInputIT {
    @TempDir
    Path dir;

    private static final String SECRET = "Pa55-in-the-url-7";
    private static final String PW_ROLE = "replicator_badinput_pw";
    private static final String OWNER_ROLE = "replicator_badinput_owner";
    private static final String STRANGER_ROLE = "replicator_badinput_stranger";

    // ---- the SQLite file

    @Test
    void missingFileIsAConfigErrorForEveryCommand() {
        String missing = dir.resolve("nope.db").toString();
        for (String[] args : List.of(new String[] {"plan", "--sqlite", missing}, new String[] {"snapshot", "--sqlite", missing, "--postgres", url()},
                new String[] {"verify", "--sqlite", missing, "--postgres", url()}, new String[] {"install", "--sqlite", missing})) {
            CliIT.Run r = run(args);
            assertFailure(r, 2, missing, "does not exist");
        }
    }

    @Test
    void notASqliteFileIsAConfigError() throws Exception {
        Path junk = dir.resolve("junk.db");
        Files.writeString(junk, "id,name\n1,a CSV file, not a database\n");
        for (String cmd : List.of("plan", "snapshot", "verify", "install")) {
            CliIT.Run r = run(withTarget(cmd, "--sqlite", junk.toString(), "--postgres", url()));
            assertFailure(r, 2, junk.toString(), "not a SQLite 3 database");
        }
    }

    @Test
    void corruptPagesStopWithExitThreeAndNoSnapshotThatLooksComplete() throws Exception {
        Path db = SqliteFiles.create(dir, "damaged.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO notes SELECT i, printf('%.300c', 'x') FROM n");
        int pageSize = 4096;
        long pages = Files.size(db) / pageSize;
        assertTrue(pages > 100, "big enough to damage pages in the middle: " + pages);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            Random rnd = new Random(6);
            for (long p = pages / 3; p < pages / 3 + 20; p += 3) { // interior and leaf pages of the table, never page 1 (the header and schema)
                byte[] garbage = new byte[pageSize];
                rnd.nextBytes(garbage);
                f.seek(p * pageSize);
                f.write(garbage);
            }
        }
        String schema = TestPostgres.freshSchema("bad_corrupt");
        CliIT.Run snap = run("snapshot", "--sqlite", db.toString(), "--postgres", url(), "--schema", schema);
        assertFailure(snap, 3, db.toString(), "damaged", "integrity_check", ".recover");
        assertNoCompleteSnapshot(schema);
        CliIT.Run plan = run("plan", "--sqlite", db.toString());
        assertFailure(plan, 3, db.toString(), "damaged");
        CliIT.Run verify = run("verify", "--sqlite", db.toString(), "--postgres", url(), "--schema", schema);
        assertFailure(verify, 3, "damaged");
    }

    /** Commands that only read work on a file nobody may write; a command that must write says why it cannot. */
    @Test
    void aReadOnlyFileIsReadButNotWritten() throws Exception {
        Path wal = SqliteFiles.create(dir, "ro-wal.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        Path journal = SqliteFiles.copyOf("chinook.sqlite", dir); // rollback-journal mode
        List<Path> locked = new ArrayList<>();
        try {
            for (Path f : List.of(wal, journal)) {
                makeReadOnly(f);
                locked.add(f);
                String schema = TestPostgres.freshSchema("bad_ro");
                CliIT.Run snap = run("snapshot", "--sqlite", f.toString(), "--postgres", url(), "--schema", schema, "--rollback-journal=lock");
                assertEquals(0, snap.code(), snap.err());
                CliIT.Run verify = run("verify", "--sqlite", f.toString(), "--postgres", url(), "--schema", schema);
                assertEquals(0, verify.code(), verify.out() + verify.err());
                assertTrue(verify.out().contains("EQUAL"), verify.out());
                CliIT.Run install = run("install", "--sqlite", f.toString());
                assertFailure(install, 2, f.toString(), "read-only", "writable");
                CliIT.Run walSwitch = run("snapshot", "--sqlite", f.toString(), "--postgres", url(), "--schema", schema + "_w", "--rollback-journal=switch-to-wal");
                if (f == journal) assertFailure(walSwitch, 2, f.toString(), "read-only", "--rollback-journal=lock");
            }
        } finally {
            for (Path f : locked) makeWritable(f);
        }
    }

    /**
     * A read-only directory (here a read-only mount): a rollback-journal file is read under a shared lock; a WAL
     * file whose -shm file does not exist cannot be read at all (SQLite must create it), which is said plainly.
     */
    @Test
    void aReadOnlyFileSystemIsReadWhereSqliteCanAndExplainedWhereItCannot() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        SqliteFiles.create(src, "wal.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        SqliteFiles.copyOf("chinook.sqlite", src);
        Path ro = readOnlyView(src);
        try {
            String schema = TestPostgres.freshSchema("bad_rofs");
            CliIT.Run journal = run("snapshot", "--sqlite", ro.resolve("chinook.sqlite").toString(), "--postgres", url(), "--schema", schema,
                    "--rollback-journal=lock");
            assertEquals(0, journal.code(), journal.err());
            assertEquals(0, run("verify", "--sqlite", ro.resolve("chinook.sqlite").toString(), "--postgres", url(), "--schema", schema).code());
            for (String cmd : List.of("snapshot", "verify", "install")) {
                CliIT.Run r = run(withTarget(cmd, "--sqlite", ro.resolve("wal.db").toString(), "--postgres", url(), "--schema", schema + "_wal"));
                assertFailure(r, 2, ro.resolve("wal.db").toString(), "WAL mode", "read-only", "-shm", "copy");
            }
            assertNoCompleteSnapshot(schema + "_wal");
        } finally {
            releaseReadOnlyView(src, ro);
        }
    }

    // ---- PostgreSQL

    @Test
    void aWrongPasswordIsAConfigErrorThatNamesUserAndHostButNotThePassword() throws Exception {
        PostgresUrl t = TestPostgres.target();
        String rightPassword = "right-" + SECRET;
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            createRole(s, PW_ROLE, "LOGIN PASSWORD '" + rightPassword + "'");
            s.execute("ALTER ROLE " + PW_ROLE + " PASSWORD '" + rightPassword + "'");
        }
        String wrong = "postgresql://" + PW_ROLE + ":" + SECRET + "@" + t.host() + ":" + t.port() + "/" + t.database();
        requirePasswordAuthentication(wrong);
        CliIT.Run r = run("snapshot", "--sqlite", SqliteFiles.create(dir, "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)").toString(),
                "--postgres", wrong, "--schema", TestPostgres.freshSchema("bad_pw"));
        assertFailure(r, 2, PW_ROLE, t.host() + ":" + t.port(), "password", "--postgres");
        assertFalse((r.out() + r.err()).contains("right-"), "no password of any kind is shown");
    }

    @Test
    void anUnreachableHostFailsFastNamingHostAndPort() throws Exception {
        Path f = SqliteFiles.create(dir, "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        for (String[] c : List.of(new String[] {"127.0.0.1:1", "127.0.0.1:1", "reachable"}, new String[] {"no-such-host.invalid:5432", "no-such-host.invalid", "does not resolve"})) {
            for (String cmd : List.of("snapshot", "verify")) {
                long t0 = System.nanoTime();
                CliIT.Run r = run(cmd, "--sqlite", f.toString(), "--postgres", "postgresql://app:" + SECRET + "@" + c[0] + "/db");
                double secs = (System.nanoTime() - t0) / 1e9;
                assertTrue(secs < PostgresUrl.CONNECT_TIMEOUT_SECONDS + 3, cmd + " to " + c[0] + " took " + secs + " s");
                assertFailure(r, 4, c[1], c[2]);
            }
        }
    }

    /** A non-superuser role that may use the replicator's state but not the target schema, which another role owns. */
    @Test
    void aTargetSchemaOwnedBySomeoneElseIsRefusedWithTheGrantToAskFor() throws Exception {
        String schema = TestPostgres.freshSchema("bad_owned");
        Path f = SqliteFiles.create(dir, "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            createRole(s, OWNER_ROLE, "NOLOGIN");
            createRole(s, STRANGER_ROLE, "LOGIN PASSWORD '" + SECRET + "'");
            SnapshotState.ensure(c);
            s.execute("GRANT USAGE ON SCHEMA replicator TO " + STRANGER_ROLE);
            s.execute("GRANT SELECT ON replicator.schema_version TO " + STRANGER_ROLE);
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON replicator.snapshot_run, replicator.snapshot_table TO " + STRANGER_ROLE);
            s.execute("CREATE SCHEMA \"" + schema + "\" AUTHORIZATION " + OWNER_ROLE);
        }
        PostgresUrl t = TestPostgres.target();
        String stranger = "postgresql://" + STRANGER_ROLE + ":" + SECRET + "@" + t.host() + ":" + t.port() + "/" + t.database();
        CliIT.Run snap = run("snapshot", "--sqlite", f.toString(), "--postgres", stranger, "--schema", schema);
        assertFailure(snap, 2, "permission denied for schema " + schema, STRANGER_ROLE, "GRANT USAGE, CREATE ON SCHEMA " + schema);
        assertNoCompleteSnapshot(schema);

        // the owner's side has a finished snapshot; the stranger may not read it
        assertEquals(0, run("snapshot", "--sqlite", f.toString(), "--postgres", url(), "--schema", schema, "--drop").code());
        CliIT.Run verify = run("verify", "--sqlite", f.toString(), "--postgres", stranger, "--schema", schema);
        assertFailure(verify, 2, "permission denied", STRANGER_ROLE);
    }

    // ---- the data

    /** No primary key: the rowid is the key (kept as _sqlite_rowid); WITHOUT ROWID tables always have one. Both move. */
    @Test
    void tablesWithoutAKeyMoveByRowidAndWithoutRowidTablesByTheirKey() throws Exception {
        Path f = SqliteFiles.create(dir, "nokey.db",
                "CREATE TABLE log (msg TEXT, n INT)", "INSERT INTO log VALUES ('same', 1), ('same', 1), (NULL, NULL)",
                "CREATE TABLE nullpk (code TEXT PRIMARY KEY, v INT)", "INSERT INTO nullpk VALUES (NULL, 1), (NULL, 2), ('a', 3)",
                "CREATE TABLE kv (k TEXT, j INT, v BLOB, PRIMARY KEY (k, j)) WITHOUT ROWID", "INSERT INTO kv VALUES ('a', 1, x'00ff'), ('a', 2, NULL)");
        String schema = TestPostgres.freshSchema("bad_nokey");
        CliIT.Run snap = run("snapshot", "--sqlite", f.toString(), "--postgres", url(), "--schema", schema);
        assertEquals(0, snap.code(), snap.err());
        CliIT.Run verify = run("verify", "--sqlite", f.toString(), "--postgres", url(), "--schema", schema);
        assertEquals(0, verify.code(), verify.out());
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            for (String table : List.of("log", "nullpk")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT _sqlite_rowid) FROM \"" + schema + "\"." + table)) {
                    rs.next();
                    assertEquals(3, rs.getLong(1), table + ": every row, duplicates too");
                    assertEquals(3, rs.getLong(2), table + ": each row keyed by its rowid");
                }
            }
        }
        assertEquals(0, run("install", "--sqlite", f.toString()).code(), "capture keys such tables by rowid too");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM _replicator_captured")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
        }
    }

    @Test
    void aNulCharacterOrInvalidUtf8InTextIsRefusedNamingTableColumnRowAndValue() throws Exception {
        Path f = SqliteFiles.create(dir, "values.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
                "INSERT INTO notes VALUES (1, 'fine'), (2, 'a' || char(0) || 'b'), (3, 'fine')",
                "CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT)",
                "INSERT INTO files VALUES (1, 'ok'), (7, CAST(x'66ff6f' AS TEXT))");
        for (String[] c : List.of(new String[] {"notes", "notes.body", "id=2", "x'610062'", "NUL"}, new String[] {"files", "files.name", "id=7", "x'66FF6F'", "UTF-8"})) {
            Path one = dir.resolve(c[0] + ".db");
            Files.copy(f, one);
            try (Connection sq = DriverManager.getConnection("jdbc:sqlite:" + one); Statement s = sq.createStatement()) {
                s.execute("DROP TABLE " + (c[0].equals("notes") ? "files" : "notes"));
            }
            String schema = TestPostgres.freshSchema("bad_value");
            CliIT.Run snap = run("snapshot", "--sqlite", one.toString(), "--postgres", url(), "--schema", schema);
            assertFailure(snap, 3, c[1], c[2], c[3], c[4], "--type " + c[1] + "=bytea");
            assertNoCompleteSnapshot(schema);
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
                 ResultSet rs = s.executeQuery("SELECT to_regclass('\"" + schema + "\"." + c[0] + "')")) {
                rs.next();
                assertEquals(null, rs.getString(1), "nothing of the refused table is left in PostgreSQL");
            }
            CliIT.Run plan = run("plan", "--sqlite", one.toString());
            assertEquals(3, plan.code(), plan.err());
            assertTrue(plan.out().contains(c[1]) && plan.out().contains(c[2]), plan.out());
            CliIT.Run fixed = run("snapshot", "--sqlite", one.toString(), "--postgres", url(), "--schema", schema, "--type", c[1] + "=bytea");
            assertEquals(0, fixed.code(), "the failed snapshot is started over: " + fixed.err());
            assertEquals(0, run("verify", "--sqlite", one.toString(), "--postgres", url(), "--schema", schema).code());
        }
    }

    // ---- helpers

    /** The test PostgreSQL with {@link #SECRET} as the password (trust authentication ignores it; no output may show it). */
    private static String url() {
        String u = TestPostgres.url();
        Matcher m = Pattern.compile("^(postgres(?:ql)?://[^:/@]+)@").matcher(u);
        return m.find() ? m.replaceFirst(m.group(1) + ":" + SECRET + "@") : u;
    }

    /** {@code args} without the PostgreSQL options for the commands that take none. */
    private static String[] withTarget(String... args) {
        return List.of("plan", "install").contains(args[0]) ? java.util.Arrays.copyOf(args, 3) : args;
    }

    private static CliIT.Run run(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliIT.run(args), () -> "hung: replicator " + String.join(" ", args));
    }

    /** Exit {@code code}; one short error naming each of {@code mustName}; no stack trace; no password. */
    private static void assertFailure(CliIT.Run r, int code, String... mustName) {
        String all = r.out() + r.err();
        assertEquals(code, r.code(), () -> "exit code; stderr:\n" + r.err());
        assertFalse(all.contains(SECRET), () -> "the password is printed:\n" + all);
        assertFalse(Pattern.compile("(?m)^\\s+at [\\w.$]+\\(|Exception in thread|^Caused by:|unexpected failure").matcher(all).find(),
                () -> "a stack trace or an unexpected failure:\n" + r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), () -> "one error message:\n" + r.err());
        String error = r.err().substring(r.err().indexOf("error:"));
        assertTrue(error.lines().count() <= 3 && error.length() < 900, () -> "a short message:\n" + error);
        for (String s : mustName) assertTrue(error.contains(s), () -> "the message names '" + s + "':\n" + error);
    }

    private static void assertNoCompleteSnapshot(String schema) throws SQLException {
        try (Connection c = TestPostgres.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT status, error FROM replicator.snapshot_run WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return; // stopped before it started: nothing recorded
                assertEquals("failed", rs.getString(1), "a failed snapshot is recorded as failed");
                assertTrue(rs.getString(2) != null && !rs.getString(2).isBlank(), "with its reason");
            } catch (SQLException noTable) {
                if (!"42P01".equals(noTable.getSQLState())) throw noTable;
            }
        }
    }

    private static void createRole(Statement s, String role, String options) throws SQLException {
        s.execute("DO $$ BEGIN CREATE ROLE " + role + " " + options + "; "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    }

    /**
     * The wrong password must be refused: on a server that trusts local connections, adds (once, idempotently)
     * a scram-sha-256 rule for the test's own role before all others in pg_hba.conf when this process can write
     * that file, and reloads; otherwise the case is skipped, saying what to add. Other roles are not affected.
     */
    private static void requirePasswordAuthentication(String wrongUrl) throws Exception {
        if (refusesWrongPassword(wrongUrl)) return;
        String rule = "host all " + PW_ROLE + " 127.0.0.1/32 scram-sha-256";
        Path hba;
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW hba_file")) {
            rs.next();
            hba = Path.of(rs.getString(1));
        } catch (SQLException notSuperuser) {
            hba = null;
        }
        String host = TestPostgres.target().host();
        boolean local = host.equals("127.0.0.1") || host.equals("localhost");
        Assumptions.assumeTrue(local && hba != null && Files.isWritable(hba),
                "PostgreSQL accepts any password for " + PW_ROLE + " (trust authentication); to run this case add the line '" + rule
                        + "' before the other rules of pg_hba.conf and reload");
        List<String> lines = new ArrayList<>(Files.readAllLines(hba));
        if (!lines.contains(rule)) {
            int first = 0;
            while (first < lines.size() && (lines.get(first).isBlank() || lines.get(first).trim().startsWith("#"))) first++;
            lines.add(first, rule);
            lines.add(first, "# added by the replicator's BadInputIT: a wrong password must be refused for this test role only");
            Files.write(hba, lines);
        }
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (!refusesWrongPassword(wrongUrl) && System.currentTimeMillis() < deadline) Thread.sleep(100);
        Assumptions.assumeTrue(refusesWrongPassword(wrongUrl), "added '" + rule + "' to " + hba + " but PostgreSQL still accepts a wrong password");
    }

    private static boolean refusesWrongPassword(String wrongUrl) {
        PostgresUrl u = PostgresUrl.parse(wrongUrl);
        try (Connection ignored = DriverManager.getConnection(u.jdbcUrl(), u.properties("replicator-test"))) {
            return false;
        } catch (SQLException e) {
            return e.getSQLState() != null && e.getSQLState().startsWith("28");
        }
    }

    /** Makes {@code f} read-only for this process: by its mode, or, for root (whom modes do not stop), immutable. */
    private static void makeReadOnly(Path f) throws Exception {
        assertTrue(f.toFile().setWritable(false, false));
        if (!Files.isWritable(f)) return;
        Assumptions.assumeTrue(exec("chattr", "+i", f.toString()) == 0 && !Files.isWritable(f),
                "running as root on a file system without chattr +i: cannot make a file read-only for this process");
    }

    private static void makeWritable(Path f) throws Exception {
        exec("chattr", "-i", f.toString()); // fails harmlessly where it was never set
        f.toFile().setWritable(true);
    }

    /** {@code src} seen through a read-only directory: its mode for an ordinary user, a read-only bind mount for root. */
    private Path readOnlyView(Path src) throws Exception {
        assertTrue(src.toFile().setWritable(false, false));
        if (!Files.isWritable(src)) return src;
        src.toFile().setWritable(true);
        Path ro = Files.createDirectories(dir.resolve("ro"));
        boolean mounted = exec("mount", "--bind", src.toString(), ro.toString()) == 0;
        Assumptions.assumeTrue(mounted, "running as root without permission to mount: cannot make a read-only directory for this process");
        if (exec("mount", "-o", "remount,bind,ro", ro.toString()) != 0 || Files.isWritable(ro)) {
            exec("umount", ro.toString());
            Assumptions.abort("cannot remount " + ro + " read-only");
        }
        return ro;
    }

    private static void releaseReadOnlyView(Path src, Path ro) throws Exception {
        if (!ro.equals(src)) exec("umount", ro.toString());
        src.toFile().setWritable(true);
    }

    private static int exec(String... cmd) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException noSuchProgram) {
            return 127;
        }
    }
}

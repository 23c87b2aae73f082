package io.replicator.run;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.TestKafka;
import io.replicator.snapshot.source.SqliteSource;
import io.replicator.snapshot.verify.VerifyReport;
import io.replicator.snapshot.verify.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job end to end, all real (SQLite written by a live application with foreign keys, Kafka,
 * PostgreSQL): {@code bin/replicator run} as its own process, killed with SIGKILL at random moments (during
 * the snapshot, while streaming) and restarted; when the writer stops, lag reaches zero and every row of every
 * table is equal. While it streams, PostgreSQL never shows a state SQLite did not have: the sum of balances,
 * kept constant by every SQLite transaction, is constant in PostgreSQL at every moment.
 */
class RunIT {
    @TempDir
    Path dir;

    static Path lastLog;

    @Test
    void killedAtRandomAndRestartedStillEqualWithNothingTwice() throws Exception {
        Path db = SqliteFiles.create(dir, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("run");
        Path state = dir.resolve("state");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        AtomicBoolean checking = new AtomicBoolean(true);
        AtomicLong checks = new AtomicLong();
        List<String> violations = new ArrayList<>();
        Thread invariant = new Thread(() -> checkSum(schema, checking, checks, violations), "invariant");
        try (ShopWriter writer = new ShopWriter(db)) {
            Process run = start(db, schema, state);
            awaitSnapshotRunning(schema);
            Thread.sleep(r.nextLong(0, 300));
            kill(run); // during the snapshot
            writer.awaitCommits(100);
            run = start(db, schema, state);
            awaitApplied(schema, 1, 120);
            invariant.start();
            for (int i = 0; i < 3; i++) {
                writer.awaitCommits(r.nextLong(200, 800));
                kill(run); // while streaming: mid-batch or between batches, wherever it is
                writer.awaitCommits(100);
                run = start(db, schema, state);
            }
            writer.awaitCommits(500);
            writer.close();
            long captured = maxSeq(db);
            awaitApplied(schema, captured, 120);
            checking.set(false);
            invariant.join();
            run.destroy(); // SIGTERM: a clean stop
            assertTrue(run.waitFor(30, TimeUnit.SECONDS), "run stops on SIGTERM");
        }
        assertTrue(checks.get() > 10, "the invariant was checked while streaming: " + checks.get());
        assertEquals(List.of(), violations, "PostgreSQL only showed states SQLite had");
        VerifyReport v = new Verifier(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 20).run();
        assertTrue(v.equal(), () -> "every row equal after kills and restarts: " + v);
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(balance) FROM \"" + schema + "\".customers")) {
            rs.next();
            assertEquals(ShopWriter.TOTAL, rs.getLong(1));
        }
    }

    private static void checkSum(String schema, AtomicBoolean checking, AtomicLong checks, List<String> violations) {
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
            while (checking.get()) {
                try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM \"" + schema + "\".customers")) {
                    rs.next();
                    if (rs.getLong(1) != ShopWriter.TOTAL) violations.add("sum(balance) = " + rs.getLong(1));
                }
                checks.incrementAndGet();
                Thread.sleep(10);
            }
        } catch (Exception e) {
            violations.add("checker failed: " + e);
        }
    }

    private static void awaitSnapshotRunning(String schema) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement(
                    "SELECT status FROM replicator.snapshot_run WHERE target_schema = ?")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return;
                }
            } catch (java.sql.SQLException ignored) {
                // not created yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the snapshot did not start");
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no flush, no shutdown hook
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    }

    private static long maxSeq(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(seq) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitApplied(String schema, long seq, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        long last = -1;
        while (System.currentTimeMillis() < deadline) {
            try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement(
                    "SELECT seq FROM replicator.sink_position WHERE target_schema = ?")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) last = rs.getLong(1);
                }
            } catch (java.sql.SQLException ignored) {
                // the state table may not exist yet
            }
            if (last >= seq) return;
            Thread.sleep(50);
        }
        String tail = lastLog == null ? "" : String.join("\n", Files.readAllLines(lastLog).stream().skip(Math.max(0, Files.readAllLines(lastLog).size() - 15)).toList());
        throw new AssertionError("PostgreSQL did not reach changelog position " + seq + " in " + seconds + " s (at " + last + "); run's output ends:\n" + tail);
    }

    private Process start(Path db, String schema, Path state) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.replicator.cli.Main", "run",
                "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                "--kafka", TestKafka.bootstrap(), "--state-dir", state.toString(), "--status-interval", "1s", "--http-port", "0");
        Path log = dir.resolve("run-" + System.nanoTime() + ".log");
        lastLog = log;
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread.sleep(200);
        if (!p.isAlive()) throw new AssertionError("run exited " + p.exitValue() + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
        return p;
    }
}

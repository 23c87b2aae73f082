package io.replicator.run;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.stream.EmbeddedKafka;
import io.replicator.sink.Sink;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The things {@code run} depends on fail under it while {@link ShopWriter} writes, all real: the Kafka broker
 * stops and comes back, PostgreSQL restarts, the application holds SQLite's write lock for seconds, the state
 * directory's file system fills up. Each time: what the operator sees is asserted, and once the fault clears
 * PostgreSQL catches up with every row equal, the balance invariant held throughout, every log line once.
 */
class OutageIT {
    @TempDir
    Path dir;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void kafkaStoppedAndRestartedMidStreamIsWaitedFor() throws Exception {
        Path db = SqliteFiles.create(dir, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("outage_kafka");
        Path kafkaDir = dir.resolve("kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir);
        int port = broker.port();
        ShopWriter writer = new ShopWriter(db);
        BalanceCheck invariant = null;
        ReplicatorProcess run = null;
        try {
            run = ReplicatorProcess.run(dir, db, schema, dir.resolve("state"), broker.bootstrapServers());
            ReplicatorProcess.awaitApplied(schema, 1, 180, run);
            invariant = new BalanceCheck(schema);
            writer.awaitCommits(300);
            broker.close(); // mid-stream: the feed is publishing, the sink consuming
            long downAt = System.currentTimeMillis();
            String health = awaitHealth(run, "DOWN", 30);
            assertTrue(health.contains("\"kafka\":\"down"), "readiness names Kafka as down: " + health);
            writer.awaitCommits(300); // the application goes on while Kafka is away
            Thread.sleep(Math.max(0, 6_000 - (System.currentTimeMillis() - downAt)));
            assertTrue(run.isAlive(), "run waits for Kafka rather than failing:\n" + run.tail(15));
            broker = EmbeddedKafka.start(kafkaDir, port); // the same data, the same address
            writer.awaitCommits(300);
            writer.close();
            ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 180, run);
            awaitHealth(run, "UP", 60);
            assertTrue(run.isAlive(), run.tail(15));
            run.stop();
        } finally {
            writer.close();
            if (invariant != null) invariant.close();
            if (run != null && run.isAlive()) run.kill();
            broker.close();
        }
        assertEquals(List.of(), invariant.violations(), "PostgreSQL only showed states SQLite had");
        ShopOutcome.assertConverged(db, schema, writer, "after Kafka stopped and restarted");
    }

    /**
     * A real restart of the machine's PostgreSQL ({@code pg_ctlcluster 15 main restart -m fast}), not only a
     * terminated backend (SinkIT does that): every connection of the sink goes at once, its lock connection too.
     * It disturbs other test runs on the same server for about a second, so it is done once, and only with
     * {@code -Pfaults} ({@code faults.disruptive}). Skipped when the tests use another server (TEST_DATABASE_URL
     * elsewhere, Testcontainers).
     */
    @Test
    void postgresRestartedMidBatchIsRetriedAndTheSinkKeepsItsSchema() throws Exception {
        assumeTrue(Boolean.getBoolean("faults.disruptive"), "restarts the machine's PostgreSQL: only with -Pfaults");
        assumeTrue(TestPostgres.url().contains("127.0.0.1:5432") || TestPostgres.url().contains("localhost:5432"), "PostgreSQL is not this machine's cluster");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pg_ctlcluster")), "no pg_ctlcluster to restart PostgreSQL with");
        Path db = SqliteFiles.create(dir, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("outage_pg");
        ShopWriter writer = new ShopWriter(db);
        BalanceCheck invariant = null;
        ReplicatorProcess run = null;
        try {
            run = ReplicatorProcess.run(dir, db, schema, dir.resolve("state"), TestKafka.bootstrap());
            ReplicatorProcess.awaitApplied(schema, 1, 180, run);
            invariant = new BalanceCheck(schema);
            writer.awaitCommits(500);
            Process restart = new ProcessBuilder("pg_ctlcluster", "15", "main", "restart", "-m", "fast").redirectErrorStream(true).start();
            String out = new String(restart.getInputStream().readAllBytes());
            assertTrue(restart.waitFor(60, TimeUnit.SECONDS) && restart.exitValue() == 0, "pg_ctlcluster restart: " + out);
            writer.awaitCommits(300);
            run.awaitOutput("transient PostgreSQL error", 30);
            writer.close();
            ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 180, run);
            assertTrue(run.isAlive(), run.tail(15));
            try (Connection pg = TestPostgres.connect()) {
                assertTrue(Sink.schemaBusy(pg, schema), "after the restart the running sink holds its schema again (no second sink, and cutover sees it)");
            }
            run.stop();
        } finally {
            writer.close();
            if (invariant != null) invariant.close();
            if (run != null && run.isAlive()) run.kill();
        }
        assertEquals(List.of(), invariant.violations(), "PostgreSQL only showed states SQLite had");
        ShopOutcome.assertConverged(db, schema, writer, "after PostgreSQL restarted");
    }

    @Test
    void sqliteWriteLockHeldForSecondsIsWaitedOut() throws Exception {
        Path db = SqliteFiles.create(dir, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("outage_lock");
        ShopWriter writer = new ShopWriter(db);
        BalanceCheck invariant = null;
        ReplicatorProcess run = null;
        try {
            run = ReplicatorProcess.run(dir, db, schema, dir.resolve("state"), TestKafka.bootstrap(), "--changelog-retention", "0", "--prune-interval", "1s");
            ReplicatorProcess.awaitApplied(schema, 1, 180, run);
            invariant = new BalanceCheck(schema);
            writer.awaitCommits(300);
            try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
                s.execute("BEGIN IMMEDIATE"); // a long application transaction: every other writer waits, the pruner too
                s.execute("UPDATE customers SET balance = balance - 7 WHERE id = 1");
                s.execute("UPDATE customers SET balance = balance + 7 WHERE id = 2");
                s.execute("INSERT OR REPLACE INTO settings VALUES ('held', 'for seconds', 99)");
                long before = ReplicatorProcess.maxSeq(db);
                ReplicatorProcess.awaitApplied(schema, before, 30, run); // what was committed before still flows
                Thread.sleep(7_000); // longer than the replicator's own 5 s busy timeout
                assertTrue(run.isAlive(), "run waits while the application holds the lock:\n" + run.tail(15));
                // pruning says it yielded to the application's lock: waited for while the lock is still held
                run.awaitOutput("yielded to the application", 30);
                s.execute("COMMIT");
            }
            writer.awaitCommits(300);
            writer.close();
            ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 60, run);
            run.stop();
        } finally {
            writer.close();
            if (invariant != null) invariant.close();
            if (run != null && run.isAlive()) run.kill();
        }
        assertEquals(List.of(), invariant.violations(), "PostgreSQL only showed states SQLite had");
        ShopOutcome.assertConverged(db, schema, writer, "after a long application write transaction");
    }

    /**
     * The state directory (feed position, embedded broker's data) on a 48 MB tmpfs that fills up while streaming.
     * Needs root to mount, and runs only with {@code -Pfaults} ({@code faults.disruptive}); skipped otherwise.
     */
    @Test
    void stateDirectoryFullStopsWithAClearMessageAndResumesWhenFreed() throws Exception {
        assumeTrue(Boolean.getBoolean("faults.disruptive"), "mounts a tmpfs: only with -Pfaults");
        Path state = Files.createDirectories(dir.resolve("state"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", state.toString()).redirectErrorStream(true).start();
        String mountOut = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0, "cannot mount a tmpfs (needs root): " + mountOut);
        Path db = SqliteFiles.create(dir, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("outage_disk");
        ShopWriter writer = new ShopWriter(db);
        BalanceCheck invariant = null;
        ReplicatorProcess run = null;
        Path filler = state.resolve("filler");
        try {
            run = ReplicatorProcess.run(dir, db, schema, state, null); // the embedded broker keeps its data in the state directory
            ReplicatorProcess.awaitApplied(schema, 1, 180, run);
            invariant = new BalanceCheck(schema);
            writer.awaitCommits(300);
            fill(filler);
            writer.awaitCommits(300);
            long deadline = System.currentTimeMillis() + 60_000;
            while (run.isAlive() && System.currentTimeMillis() < deadline) Thread.sleep(100);
            System.out.println("disk full: run " + (run.isAlive() ? "still running" : "exited " + run.process().exitValue()) + ", its output ends:\n" + run.tail(25));
            assertTrue(!run.isAlive(), "run stops when the state directory is full");
            assertEquals(4, run.process().exitValue(), "a run-time failure (exit 4), not 'differences' (1):\n" + run.tail(20));
            assertTrue(run.output().contains("No space left on device"), "the broker's log says the disk is full:\n" + run.tail(20));
            assertTrue(run.tail(3).contains("error: the embedded Kafka broker stopped this process") && run.tail(3).contains("Free space"),
                    "the last words say what failed and what to do:\n" + run.tail(20));
            Files.delete(filler);
            writer.awaitCommits(300);
            run = ReplicatorProcess.run(dir, db, schema, state, null);
            writer.close();
            ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 180, run);
            run.stop();
        } finally {
            writer.close();
            if (invariant != null) invariant.close();
            if (run != null && run.isAlive()) run.kill();
            new ProcessBuilder("umount", "-l", state.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), invariant.violations(), "PostgreSQL only showed states SQLite had");
        ShopOutcome.assertConverged(db, schema, writer, "after the state directory was full");
    }

    /** Writes zeros until the file system says it is full. */
    private static void fill(Path filler) {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (IOException full) {
            // No space left on device: the point
        }
    }

    /** Polls the run's readiness endpoint until its status is {@code want}; returns the body. */
    private static String awaitHealth(ReplicatorProcess run, String want, int seconds) throws Exception {
        run.awaitOutput("control plane: ", 60);
        Matcher m = Pattern.compile("control plane: (http://\\S+?) ").matcher(run.output());
        assertTrue(m.find(), "run says where its control plane is:\n" + run.tail(15));
        URI uri = URI.create(m.group(1) + "/health/readiness");
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        String body = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                body = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"status\":\"" + want + "\"")) return body;
            } catch (IOException e) {
                body = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("readiness did not become " + want + " within " + seconds + " s: " + body);
    }
}

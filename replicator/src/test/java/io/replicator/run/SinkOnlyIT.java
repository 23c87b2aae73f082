package io.replicator.run;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.CounterApp;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.TestKafka;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.verify.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/replicator sink} as its own process, applying a topic the feed produces elsewhere (here a
 * {@link ChangeFeed} in the test JVM; it never sees the SQLite file): the first start reads the topic from its
 * beginning and skips what the snapshot covers, a SIGKILL mid-stream and a restart resume from the stored position,
 * and PostgreSQL ends equal with nothing applied twice in effect ({@link CounterApp}). Also its refusals.
 */
class SinkOnlyIT {
    private static final String SECRET = "sink-only-secret-pw";
    /** What the JVM exits with after a SIGTERM once its shutdown hooks have run (128 + 15). */
    private static final int SIGTERM_EXIT = 143;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void appliesATopicProducedElsewhereAfterTheHandOffAndResumesAfterSigkill() throws Exception {
        Path db = CounterApp.create(dir, "remote.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        }
        SqliteSource src = SqliteSource.of(db.toString());
        long installed = new CaptureInstaller(src).install().changelogSeq();
        String schema = TestPostgres.freshSchema("sinkonly");
        Path feedState = dir.resolve("feed");
        FeedSettings fs = FeedSettings.defaults(db, installed, feedState).withNames("remote" + ProcessHandle.current().pid() + System.nanoTime(), "sinkonly");

        // the feed publishes before the snapshot: note 1 as 'before the snapshot'; the topic keeps that event, whose
        // batch is at or below the snapshot's mark. Applied, it would undo the update the snapshot copied.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO notes VALUES (1, 'before the snapshot')");
        }
        long early = ReplicatorProcess.maxSeq(db);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            Await.until("the feed published seq " + early, Duration.ofSeconds(30), () -> feed.publishedSeq() >= early, () -> "at " + feed.publishedSeq());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("UPDATE notes SET v = 'copied by the snapshot' WHERE id = 1");
        }
        long handOff = new Snapshotter(src, TestPostgres.target(), new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false),
                SnapshotProgress.NONE).run().changelogSeq();
        assertTrue(handOff > early, "the snapshot's mark " + handOff + " is past the published event's batch " + early);

        String url = TestPostgres.url().replace("postgresql://postgres@", "postgresql://postgres:" + SECRET + "@");
        String[] sinkArgs = {"sink", "--kafka", TestKafka.bootstrap(), "--topic", fs.topic(), "--postgres", url, "--schema", schema, "--status-interval", "1s"};
        CounterApp.Samples samples = new CounterApp.Samples(schema);
        try (CounterApp app = CounterApp.start(db, 10);
             ChangeFeed feed = ChangeFeed.start(fs.withStartSeq(handOff), TestKafka.bootstrap());
             Connection pg = TestPostgres.connect()) {
            ReplicatorProcess first = ReplicatorProcess.start(dir, sinkArgs);
            first.awaitOutput("applying topic " + fs.topic(), 60);
            long target = ReplicatorProcess.maxSeq(db);
            awaitApplied(schema, target, first, samples, pg);
            first.awaitOutput("applied ", 30); // a status line
            assertEquals("copied by the snapshot", note(schema), "the event at or below the hand-off was skipped");

            first.kill();
            samples.check(pg);
            long killedAt = ReplicatorProcess.appliedSeq(schema);
            long more = app.committed() + 50; // the application goes on while no sink runs
            Await.until("50 more transactions", Duration.ofSeconds(30), () -> app.committed() >= more, () -> "at " + app.committed());

            ReplicatorProcess second = ReplicatorProcess.start(dir, sinkArgs);
            second.awaitOutput("applying topic", 60);
            long committed = app.stop();
            long end = ReplicatorProcess.maxSeq(db);
            Await.until("the feed published seq " + end, Duration.ofSeconds(30), () -> feed.publishedSeq() >= end, () -> "at " + feed.publishedSeq());
            awaitApplied(schema, end, second, samples, pg);
            assertTrue(ReplicatorProcess.appliedSeq(schema) > killedAt, "the second process applied after the position the first left");

            assertEquals(SIGTERM_EXIT, second.stop(), second.tail(10));
            assertTrue(second.output().contains("stopped at changelog position " + end), second.tail(10));
            for (ReplicatorProcess p : List.of(first, second)) {
                assertFalse(p.output().contains(SECRET), "the password never appears in the output:\n" + p.tail(20));
                assertFalse(p.output().contains("error:"), p.tail(20));
            }

            assertEquals(committed, samples.check(pg).counter(), "every transaction applied once: the counter");
            CounterApp.assertLedgerExact(schema, committed);
            assertTrue(new Verifier(src, TestPostgres.target(), schema, 10).run().equal(), "PostgreSQL ends equal to SQLite");
            assertEquals("copied by the snapshot", note(schema));
            System.out.printf("sink-only: %d transactions, %d samples, hand-off at %d, killed at %d, ended at %d%n", committed, samples.taken(), handOff, killedAt, end);
        }
    }

    @Test
    void refusesASchemaWithoutAFinishedSnapshotOrWithoutCaptureAndAnotherTopic() throws Exception {
        String url = TestPostgres.url();
        String schema = TestPostgres.freshSchema("sinkonly_refused");
        ReplicatorProcess none = ReplicatorProcess.start(dir, "sink", "--kafka", TestKafka.bootstrap(), "--topic", "sinkonly.none", "--postgres", url, "--schema", schema);
        assertEquals(2, none.awaitExit(60), none.output());
        assertTrue(none.output().contains("holds no finished snapshot") && none.output().contains("bin/replicator snapshot"), none.output());

        Path db = SqliteFiles.create(dir, "nocapture.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        new Snapshotter(SqliteSource.of(db.toString()), TestPostgres.target(), new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 1,
                JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
        ReplicatorProcess noCapture = ReplicatorProcess.start(dir, "sink", "--kafka", TestKafka.bootstrap(), "--topic", "sinkonly.none", "--postgres", url, "--schema", schema);
        assertEquals(2, noCapture.awaitExit(60), noCapture.output());
        assertTrue(noCapture.output().contains("without change capture installed"), noCapture.output());

        ReplicatorProcess noKafka = ReplicatorProcess.start(dir, "sink", "--topic", "sinkonly.none", "--postgres", url, "--schema", schema);
        assertEquals(2, noKafka.awaitExit(60), noKafka.output());
        assertTrue(noKafka.output().contains("--kafka"), noKafka.output());
    }

    /** Waits until PostgreSQL reflects {@code seq}, checking a {@link CounterApp.Sample} on every look. */
    private static void awaitApplied(String schema, long seq, ReplicatorProcess p, CounterApp.Samples samples, Connection pg) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (samples.check(pg).seq() < seq) {
            if (!p.isAlive()) throw new AssertionError("the sink exited " + p.process().exitValue() + ":\n" + p.tail(20));
            if (System.nanoTime() > deadline) throw new AssertionError("not applied up to " + seq + " (at " + samples.last() + "):\n" + p.tail(20));
            Thread.sleep(20);
        }
    }

    private static String note(String schema) throws Exception {
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM \"" + schema + "\".notes WHERE id = 1")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}

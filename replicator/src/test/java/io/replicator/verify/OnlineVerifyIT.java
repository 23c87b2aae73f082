package io.replicator.verify;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.state.SinkState;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verification while the application writes without pause (including one row it updates in every
 * transaction): no false difference, and a real one is still found.
 */
class OnlineVerifyIT {
    @TempDir
    Path dir;

    @Test
    void comparesAtAHeldPositionWhileWritesContinue() throws Exception {
        Path db = SqliteFiles.create(dir, "online.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "CREATE TABLE hot (id INTEGER PRIMARY KEY, n INTEGER)",
                "INSERT INTO hot VALUES (1, 0)",
                "INSERT INTO t SELECT i, 'seed' FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) SELECT i FROM n)");
        String schema = TestPostgres.freshSchema("online");
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        new Snapshotter(SqliteSource.of(db.toString()), TestPostgres.target(),
                new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        try (Connection pg = TestPostgres.connect()) {
            SinkState.ensure(pg);
            SinkState.reset(pg, schema, fs.topic(), 0, -1);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                 PreparedStatement ins = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, 'live')");
                 PreparedStatement upd = c.prepareStatement("UPDATE t SET v = v || '+' WHERE id = ?")) {
                s.execute("PRAGMA busy_timeout = 10000");
                long id = 100_000;
                while (!stop.get()) {
                    c.setAutoCommit(false);
                    ins.setLong(1, ++id);
                    ins.executeUpdate();
                    upd.setLong(1, 10 + id % 100); // rows 10..109 keep changing
                    upd.executeUpdate();
                    s.executeUpdate("UPDATE hot SET n = n + 1 WHERE id = 1"); // changed by every transaction
                    c.commit();
                    c.setAutoCommit(true);
                    commits.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                writerError.set(e);
            }
        }, "app-writer");
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()))) {
            writer.start();
            // replicating under a live writer: the application committed a while and the sink applies its changes
            Await.until("the application committed more than 100 transactions and the sink applied some", Duration.ofSeconds(30),
                    () -> (commits.get() > 100 && sink.appliedSeq() > 0) || writerError.get() != null || sink.failure() != null,
                    () -> commits.get() + " commits, sink at " + sink.appliedSeq() + ", sink failure " + sink.failure() + ", writer error " + writerError.get());
            assertNull(writerError.get());
            assertTrue(OnlineVerify.sinkRunning(TestPostgres.target(), schema));
            long commitsBefore = commits.get();
            OnlineVerify.Result ok = OnlineVerify.run(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 10, 0);
            assertTrue(ok.report().equal(), () -> "no false difference while writes continue: " + ok.report());
            assertTrue(commits.get() > commitsBefore, "the application kept writing during the verification");

            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                s.execute("UPDATE \"" + schema + "\".t SET v = 'damaged' WHERE id = 7"); // a row the application never touches
            }
            OnlineVerify.Result bad = OnlineVerify.run(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 10, 0);
            assertFalse(bad.report().equal());
            VerifyReport.TableResult t = bad.report().tables().stream().filter(x -> x.source().equals("t")).findFirst().orElseThrow();
            assertEquals(1, t.differingKeys(), t.toString());
            assertTrue(t.differences().get(0).key().contains("id=7"), t.differences().toString());
            long before = sink.appliedSeq();
            Await.until("the sink goes on after the verification let go (past seq " + before + ")", Duration.ofSeconds(30),
                    () -> sink.appliedSeq() > before || sink.failure() != null, () -> "at " + sink.appliedSeq() + ", failure " + sink.failure());
            assertNull(sink.failure());
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertNull(writerError.get());
    }
}

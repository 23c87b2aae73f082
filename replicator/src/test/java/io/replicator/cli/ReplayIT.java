package io.replicator.cli;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.state.SinkState;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.TestKafka;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.verify.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code replay} command end to end: it finds the feed's topic from the SQLite file, so this test needs the real
 * capture and feed (the sink's own replay is tested in the sink module, SinkIT). While a sink applies to the schema
 * the command refuses (exit 2); afterwards it restores rows lost in PostgreSQL.
 */
class ReplayIT {
    @TempDir
    Path dir;

    @Test
    void replayRefusesWhileASinkAppliesAndRestoresRowsLostInPostgres() throws Exception {
        Path db = SqliteFiles.create(dir, "restore.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        String schema = TestPostgres.freshSchema("replaycli");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        new Snapshotter(SqliteSource.of(db.toString()), TestPostgres.target(),
                new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
        try (Connection pg = TestPostgres.connect()) {
            SinkState.ensure(pg);
            SinkState.reset(pg, schema, fs.topic(), 0, -1);
        }
        String[] replay = {"replay", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                "--kafka", TestKafka.bootstrap(), "--state-dir", dir.resolve("state").toString(), "--from-seq", "0"};
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            try (Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()))) {
                for (int i = 1; i <= 50; i++) sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")");
                awaitApplied(sink, maxSeq(db));
                for (int i = 51; i <= 100; i++) sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")", "UPDATE t SET v = v * 10 WHERE id = " + (i - 50));
                awaitApplied(sink, maxSeq(db));
                CliRun busy = cli(replay);
                assertEquals(2, busy.code(), "replay refuses while a sink applies to the schema");
                assertTrue(busy.err().contains("stop it first"), busy.err());
            }
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                s.execute("DELETE FROM \"" + schema + "\".t WHERE id % 3 = 0 OR id > 90");
            }
            assertFalse(equal(db, schema));
            CliRun run = cli(replay);
            assertEquals(0, run.code(), run.err());
            assertTrue(equal(db, schema), "replay restored the lost rows");
        }
    }

    private static boolean equal(Path db, String schema) {
        return new Verifier(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 10).run().equal();
    }

    private static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    private static long maxSeq(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT max(seq) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitApplied(Sink sink, long seq) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (sink.appliedSeq() < seq) {
            if (sink.await(Duration.ofMillis(20))) throw new AssertionError("the sink stopped: " + sink.failure().getMessage());
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not applied up to " + seq + " (at " + sink.appliedSeq() + ")");
        }
    }

    private record CliRun(int code, String err) {}

    private static synchronized CliRun cli(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new CliRun(Main.execute(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }
}

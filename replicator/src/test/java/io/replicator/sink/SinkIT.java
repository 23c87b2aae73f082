package io.replicator.sink;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.ExitCode;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.TestKafka;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.VerifyReport;
import io.replicator.verify.Verifier;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink against real Kafka and PostgreSQL: replays change nothing, poison events stop it (or go aside), lost connections are retried. */
class SinkIT {
    @TempDir
    Path dir;

    /** A snapshotted database with capture; returns the hand-off position. */
    private long prepare(Path db, String schema, FeedSettings fs) throws Exception {
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        new Snapshotter(SqliteSource.of(db.toString()), TestPostgres.target(),
                new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
        try (Connection pg = TestPostgres.connect()) {
            SinkState.ensure(pg);
            SinkState.reset(pg, schema, fs.topic(), 0, -1);
        }
        return 0;
    }

    private static Sink sink(FeedSettings fs, String schema, boolean deadLetter) {
        return Sink.start(SinkSettings.builder(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target())
                .onPoison(deadLetter ? SinkSettings.OnPoison.DEAD_LETTER : SinkSettings.OnPoison.STOP).build());
    }

    static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    static long maxSeq(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT max(seq) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void awaitApplied(Sink sink, long seq) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (sink.appliedSeq() < seq) {
            if (sink.await(Duration.ofMillis(20))) throw new AssertionError("the sink stopped: " + sink.failure().getMessage());
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not applied up to " + seq + " (at " + sink.appliedSeq() + ")");
        }
    }

    private static VerifyReport verify(Path db, String schema) {
        return new Verifier(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 10).run();
    }

    /** PostgreSQL dropping the sink's connections while its pool makes the first ones: the pool recovers and the sink applies. */
    @Test
    void connectionsLostWhileThePoolStartsDoNotStopTheSink() throws Exception {
        Path db = SqliteFiles.create(dir, "start.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        String schema = TestPostgres.freshSchema("poolstart");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        prepare(db, schema, fs);
        for (int i = 1; i <= 10; i++) sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")");
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread killer = new Thread(() -> {
                try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                    long until = System.currentTimeMillis() + 3_000;
                    while (!stop.get() && System.currentTimeMillis() < until) {
                        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'replicator-sink'");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "killer");
            killer.start();
            try (Sink sink = sink(fs, schema, false)) {
                killer.join();
                awaitApplied(sink, maxSeq(db));
                assertNull(sink.failure());
            } finally {
                stop.set(true);
                killer.join();
            }
        }
        assertTrue(verify(db, schema).equal());
    }

    @Test
    void replayingFromTheStartChangesNothingAndLostConnectionsAreRetried() throws Exception {
        Path db = SqliteFiles.create(dir, "replay.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, s TEXT UNIQUE)",
                "INSERT INTO t VALUES (1, 1, 'a'), (2, 2, 'b')");
        String schema = TestPostgres.freshSchema("replay");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        prepare(db, schema, fs);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            try (Sink sink = sink(fs, schema, false)) {
                for (int i = 0; i < 20; i++) {
                    sql(db, "INSERT INTO t VALUES (" + (100 + i) + ", " + i + ", 'x" + i + "')", "UPDATE t SET v = v + 1 WHERE id = 1",
                            "BEGIN", "UPDATE t SET s = 'tmp' WHERE id = 1", "UPDATE t SET s = CASE s WHEN 'a' THEN 'b' ELSE 'a' END WHERE id = 2",
                            "UPDATE t SET s = CASE (SELECT s FROM t WHERE id = 2) WHEN 'a' THEN 'b' ELSE 'a' END WHERE id = 1", "COMMIT"); // rows 1 and 2 swap a UNIQUE value
                    if (i % 5 == 0) {
                        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'replicator-sink'");
                        }
                    }
                }
                awaitApplied(sink, maxSeq(db));
                assertNull(sink.failure());
            }
            assertTrue(verify(db, schema).equal(), "equal after lost connections");
            // a deliberate replay of the whole topic
            try (Connection pg = TestPostgres.connect()) {
                SinkState.reset(pg, schema, fs.topic(), 0, -1);
            }
            try (Sink again = sink(fs, schema, false)) {
                awaitApplied(again, maxSeq(db));
                assertTrue(again.appliedEvents() > 20, "the replay re-applied the stream: " + again.appliedEvents());
            }
            assertTrue(verify(db, schema).equal(), "a replay changes nothing");
            try (Sink idle = sink(fs, schema, false)) {
                Thread.sleep(1500);
                assertEquals(0, idle.appliedEvents(), "restarted at its position, the sink applies nothing twice");
            }
        }
    }

    @Test
    void aValueTheColumnCannotHoldStopsTheSinkOrGoesToTheDeadLetterTopic() throws Exception {
        Path db = SqliteFiles.create(dir, "poison.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)", "INSERT INTO t VALUES (1, 1)");
        String schema = TestPostgres.freshSchema("poison");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        prepare(db, schema, fs);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            sql(db, "INSERT INTO t VALUES (2, 'not a number')");
            try (Sink sink = sink(fs, schema, false)) {
                assertTrue(sink.await(Duration.ofSeconds(30)), "the sink stops");
                assertEquals(ExitCode.DATA_LOSS, sink.failure().exitCode());
                String m = sink.failure().getMessage();
                assertTrue(m.contains("table t") && m.contains("column n") && m.contains("[2]") && m.contains("'not a number'"), m);
            }
            sql(db, "INSERT INTO t VALUES (3, 3)");
            try (Sink sink = sink(fs, schema, true)) {
                awaitApplied(sink, maxSeq(db));
                assertEquals(1, sink.deadLettered());
            }
            try (Connection pg = TestPostgres.connect()) {
                assertEquals(1, SinkState.read(pg, schema).deadLettered(), "status can tell how many events were set aside");
            }
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
                 var rs = s.executeQuery("SELECT count(*) FROM \"" + schema + "\".t WHERE id = 3")) {
                rs.next();
                assertEquals(1, rs.getLong(1), "the stream went on past the poison event");
            }
            List<String> reasons = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", TestKafka.bootstrap()),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition(fs.topic() + ".dlq", 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long end = System.currentTimeMillis() + 10_000;
                while (reasons.isEmpty() && System.currentTimeMillis() < end) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        assertNotNull(r.value(), "the event itself is kept");
                        reasons.add(new String(r.headers().lastHeader("replicator.reason").value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertEquals(1, reasons.size());
            assertTrue(reasons.get(0).contains("column n"), reasons.get(0));
        }
    }

    @Test
    void replayRestoresRowsLostInPostgresAndARestoredBackupCatchesUp() throws Exception {
        Path db = SqliteFiles.create(dir, "restore.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        String schema = TestPostgres.freshSchema("restore");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        prepare(db, schema, fs);
        String q = "\"" + schema + "\".t";
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            try (Sink sink = sink(fs, schema, false)) {
                for (int i = 1; i <= 50; i++) sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")");
                awaitApplied(sink, maxSeq(db));
                try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) { // a backup, taken now
                    s.execute("CREATE TABLE \"" + schema + "\".backup_t AS SELECT * FROM " + q);
                    s.execute("CREATE TABLE \"" + schema + "\".backup_position AS SELECT * FROM replicator.sink_position WHERE target_schema = '" + schema + "'");
                }
                for (int i = 51; i <= 100; i++) sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")", "UPDATE t SET v = v * 10 WHERE id = " + (i - 50));
                awaitApplied(sink, maxSeq(db));
                CliRun busy = cli("replay", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                        "--kafka", TestKafka.bootstrap(), "--state-dir", dir.resolve("state").toString(), "--from-seq", "0");
                assertEquals(2, busy.code(), "replay refuses while a sink applies to the schema");
            }
            // rows lost in PostgreSQL: replay from the start restores them
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                s.execute("DELETE FROM " + q + " WHERE id % 3 = 0 OR id > 90");
            }
            assertTrue(!verify(db, schema).equal());
            CliRun replay = cli("replay", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                    "--kafka", TestKafka.bootstrap(), "--state-dir", dir.resolve("state").toString(), "--from-seq", "0");
            assertEquals(0, replay.code(), replay.err());
            assertTrue(verify(db, schema).equal(), "replay restored the lost rows");
            // PostgreSQL restored from the older backup: its position went back with it; restarting the sink fills the gap
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                s.execute("TRUNCATE " + q);
                s.execute("INSERT INTO " + q + " SELECT * FROM \"" + schema + "\".backup_t");
                s.execute("DELETE FROM replicator.sink_position WHERE target_schema = '" + schema + "'");
                s.execute("INSERT INTO replicator.sink_position SELECT * FROM \"" + schema + "\".backup_position");
                s.execute("DROP TABLE \"" + schema + "\".backup_t, \"" + schema + "\".backup_position");
            }
            assertTrue(!verify(db, schema).equal());
            try (Sink sink = sink(fs, schema, false)) {
                awaitApplied(sink, maxSeq(db));
            }
            assertTrue(verify(db, schema).equal(), "the restored database caught up from its own position");
        }
    }

    record CliRun(int code, String err) {}

    static synchronized CliRun cli(String... args) {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            return new CliRun(io.replicator.cli.Main.execute(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    /** PostgreSQL refusing the sink for longer than --max-retry-time: /health shows the error meanwhile, then the sink stops with exit 4. */
    @Test
    void transientErrorsLongerThanTheRetryTimeStopTheSink() throws Exception {
        Path db = SqliteFiles.create(dir, "retry.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        String schema = TestPostgres.freshSchema("retrytime");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        prepare(db, schema, fs);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.builder(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()).maxRetryTime(Duration.ofSeconds(2)).build())) {
            sql(db, "INSERT INTO t VALUES (1, 1)");
            awaitApplied(sink, maxSeq(db));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread killer = new Thread(() -> {
                try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                    while (!stop.get()) s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'replicator-sink'");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "killer");
            killer.start();
            try {
                boolean sawRetrying = false;
                long deadline = System.currentTimeMillis() + 60_000;
                for (int i = 2; !sink.await(Duration.ofMillis(50)); i++) {
                    assertTrue(System.currentTimeMillis() < deadline, "the sink kept retrying past its retry time");
                    sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")");
                    sawRetrying |= sink.retrying() != null;
                }
                assertTrue(sawRetrying, "while it retried, the sink said what fails");
                assertEquals(io.replicator.core.ExitCode.RUNTIME, sink.failure().exitCode());
                assertTrue(sink.failure().getMessage().contains("--max-retry-time"), sink.failure().getMessage());
            } finally {
                stop.set(true);
                killer.join();
            }
        }
    }

    /** The topic deleted and created again (a Kafka without its volume): the stored offset means nothing now, so the sink refuses to seek to it. */
    @Test
    void aTopicCreatedAgainIsRefusedInsteadOfSkippingEvents() throws Exception {
        Path db = SqliteFiles.create(dir, "recreated.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        String schema = TestPostgres.freshSchema("recreated");
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        prepare(db, schema, fs);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap())) {
            try (Sink sink = sink(fs, schema, false)) {
                for (int i = 1; i <= 5; i++) sql(db, "INSERT INTO t VALUES (" + i + ", " + i + ")");
                awaitApplied(sink, maxSeq(db));
            }
        }
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", TestKafka.bootstrap()))) {
            admin.deleteTopics(List.of(fs.topic())).all().get();
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) { // deletion completes asynchronously
                try {
                    admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(fs.topic(), 1, (short) 1))).all().get();
                    break;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(System.currentTimeMillis() < deadline, "the topic could not be created again: " + e);
                    Thread.sleep(100);
                }
            }
        }
        try (Sink sink = sink(fs, schema, false)) {
            assertTrue(sink.await(Duration.ofSeconds(60)), "the sink stops");
            String m = sink.failure().getMessage();
            assertEquals(io.replicator.core.ExitCode.BAD_CONFIG, sink.failure().exitCode());
            assertTrue(m.contains("created again") && m.contains("replay --from-seq " + maxSeq(db)), m);
        }
    }
}

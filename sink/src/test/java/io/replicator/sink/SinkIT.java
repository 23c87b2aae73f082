package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.ExitCode;
import io.replicator.core.testing.TestPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sink against a real Kafka broker and a real PostgreSQL, fed events in the project's own format
 * ({@link FeedWriter}) with no SQLite feed in between: replays change nothing, poison events stop it (or go aside),
 * lost connections are retried, retries are bounded, a topic created again is refused.
 */
class SinkIT {
    private static Sink sink(FeedWriter feed, TargetSchema pg, boolean deadLetter) {
        return Sink.start(SinkSettings.builder(TestKafka.bootstrap(), feed.topic(), pg.schema, TestPostgres.target())
                .onPoison(deadLetter ? SinkSettings.OnPoison.DEAD_LETTER : SinkSettings.OnPoison.STOP).build());
    }

    private static FeedWriter feed(TargetSchema pg) {
        return new FeedWriter(TestKafka.bootstrap(), "sinkit." + pg.schema);
    }

    static void awaitApplied(Sink sink, long seq) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (sink.appliedSeq() < seq) {
            if (sink.await(Duration.ofMillis(20))) throw new AssertionError("the sink stopped: " + sink.failure().getMessage());
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not applied up to " + seq + " (at " + sink.appliedSeq() + ")");
        }
    }

    /** Ends every pooled sink backend of the test database (application_name replicator-sink; the lock's session is apart). */
    private static void killSinkBackends(Statement s) throws Exception {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + TargetPool.APPLICATION_NAME + "'"
                + " AND datname = current_database()"); // other databases of the server are not this test's
    }

    /** A thread ending the sink's backends over and over, until {@code stop} or for {@code forMs}. */
    private static Thread killer(AtomicBoolean stop, long forMs) {
        Thread t = new Thread(() -> {
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                for (long until = System.currentTimeMillis() + forMs; !stop.get() && System.currentTimeMillis() < until; ) killSinkBackends(s);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "killer");
        t.start();
        return t;
    }

    /** PostgreSQL dropping the sink's connections while its pool makes the first ones: the pool recovers and the sink applies. */
    @Test
    void connectionsLostWhileThePoolStartsDoNotStopTheSink() throws Exception {
        TargetSchema pg = TargetSchema.create("poolstart", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "v")) {
            pg.snapshot(feed);
            for (int i = 1; i <= 10; i++) feed.insert("t", i, i);
            AtomicBoolean stop = new AtomicBoolean();
            Thread killer = killer(stop, 3_000);
            try (Sink sink = sink(feed, pg, false)) {
                killer.join();
                awaitApplied(sink, feed.seq());
                assertNull(sink.failure());
            } finally {
                stop.set(true);
                killer.join();
            }
            pg.assertMatches(feed, "equal after the pool recovered");
        }
    }

    @Test
    void replayingFromTheStartChangesNothingAndLostConnectionsAreRetried() throws Exception {
        TargetSchema pg = TargetSchema.create("replay", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, s TEXT UNIQUE)");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "v", "s")) {
            feed.snapshotRow("t", 1, 1, "a").snapshotRow("t", 2, 2, "b");
            pg.snapshot(feed);
            int v1 = 1;
            String s1 = "a";
            String s2 = "b";
            try (Sink sink = sink(feed, pg, false)) {
                for (int i = 0; i < 20; i++) {
                    feed.insert("t", 100 + i, i, "x" + i);
                    feed.tx().update("t", 1, ++v1, s1).commit();
                    // rows 1 and 2 swap a UNIQUE value inside one SQLite transaction: both events come in one batch
                    String was1 = s1;
                    s1 = s2;
                    s2 = was1;
                    feed.tx().update("t", 1, v1, "tmp").update("t", 2, 2, s2).update("t", 1, v1, s1).commit();
                    if (i % 5 == 0) {
                        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
                            killSinkBackends(s);
                        }
                    }
                }
                awaitApplied(sink, feed.seq());
                assertNull(sink.failure());
            }
            pg.assertMatches(feed, "equal after lost connections");
            // a deliberate replay of the whole topic
            try (Connection c = TestPostgres.connect()) {
                SinkState.reset(c, pg.schema, feed.topic(), 0, -1);
            }
            try (Sink again = sink(feed, pg, false)) {
                awaitApplied(again, feed.seq());
                assertTrue(again.appliedEvents() > 20, "the replay re-applied the stream: " + again.appliedEvents());
            }
            pg.assertMatches(feed, "a replay changes nothing");
            try (Sink idle = sink(feed, pg, false)) {
                long next = feed.insert("t", 1_000, 0, "after the restart");
                awaitApplied(idle, next);
                assertEquals(1, idle.appliedEvents(), "restarted at its position, the sink applies nothing twice: only the new event");
            }
            pg.assertMatches(feed, "equal after the restart");
        }
    }

    @Test
    void aValueTheColumnCannotHoldStopsTheSinkOrGoesToTheDeadLetterTopic() throws Exception {
        TargetSchema pg = TargetSchema.create("poison", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "n")) {
            feed.snapshotRow("t", 1, 1);
            pg.snapshot(feed);
            feed.insert("t", 2, "not a number"); // SQLite stores TEXT in an INTEGER column; bigint cannot hold it
            try (Sink sink = sink(feed, pg, false)) {
                assertTrue(sink.await(Duration.ofSeconds(30)), "the sink stops");
                assertEquals(ExitCode.DATA_LOSS, sink.failure().exitCode());
                String m = sink.failure().getMessage();
                assertTrue(m.contains("table t") && m.contains("column n") && m.contains("[2]") && m.contains("'not a number'"), m);
            }
            feed.insert("t", 3, 3);
            try (Sink sink = sink(feed, pg, true)) {
                awaitApplied(sink, feed.seq());
                assertEquals(1, sink.deadLettered());
            }
            try (Connection c = TestPostgres.connect()) {
                assertEquals(1, SinkState.read(c, pg.schema).deadLettered(), "status can tell how many events were set aside");
            }
            assertTrue(pg.rows("t", List.of("id", "n")).contains("3|3"), "the stream went on past the poison event");
            List<String> reasons = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", TestKafka.bootstrap()),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition(feed.topic() + ".dlq", 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long end = System.currentTimeMillis() + 10_000;
                while (reasons.isEmpty() && System.currentTimeMillis() < end) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        assertNotNull(r.value(), "the event itself is kept");
                        reasons.add(new String(r.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertEquals(1, reasons.size());
            assertTrue(reasons.get(0).contains("column n"), reasons.get(0));
        }
    }

    /**
     * Columns the application's framework made (interval, timestamp(3), character varying): streamed values arrive
     * exactly, through an insert and the upsert's update; a fraction timestamp(3) would round stops the sink.
     */
    @Test
    void frameworkColumnTypesTakeStreamedValuesExactly() throws Exception {
        TargetSchema pg = TargetSchema.create("fwtypes", "CREATE TABLE t (id INTEGER PRIMARY KEY, warranty bigint, grace DATETIME, at DATETIME, note TEXT)");
        pg.sql("ALTER TABLE " + pg.q("t") + " ALTER COLUMN warranty TYPE interval USING NULL, ALTER COLUMN grace TYPE interval USING NULL,"
                + " ALTER COLUMN at TYPE timestamp(3), ALTER COLUMN note TYPE character varying");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "warranty", "grace", "at", "note")) {
            pg.snapshot(feed);
            try (Sink sink = sink(feed, pg, false)) {
                feed.insert("t", 1, 1L, "1970-01-01 00:00:00", "2026-11-29 20:21:11", "x");
                feed.insert("t", 2, Long.MIN_VALUE, "1969-12-31 23:59:59.999999", null, null);
                feed.tx().update("t", 1, 27_729_327_252_175L, "1970-01-31 00:00:00.000000", "2026-11-29 20:21:11.123", "ü".repeat(500)).commit();
                awaitApplied(sink, feed.seq());
                assertNull(sink.failure());
            }
            assertEquals(List.of("1|7702:35:27.252175|720:00:00|2026-11-29 20:21:11.123|500", "2|-2562047788:00:54.775808|-00:00:00.000001||"),
                    pg.texts("SELECT id || '|' || warranty::text || '|' || grace::text || '|' || coalesce(at::text, '') || '|'"
                            + " || coalesce(length(note)::text, '') FROM " + pg.q("t") + " ORDER BY id"));
            feed.insert("t", 3, 0L, null, "2026-11-29 20:21:11.1234", null);
            try (Sink sink = sink(feed, pg, false)) {
                assertTrue(sink.await(Duration.ofSeconds(30)), "the sink stops");
                assertEquals(ExitCode.DATA_LOSS, sink.failure().exitCode());
                String m = sink.failure().getMessage();
                assertTrue(m.contains("column at") && m.contains("[3]") && m.contains("more fractional digits than timestamp(3) keeps"), m);
            }
            assertEquals(List.of("1", "2"), pg.texts("SELECT id::text FROM " + pg.q("t") + " ORDER BY id"), "nothing rounded was written");
        }
    }

    /** The sink side of `replay` (the command itself is ReplayIT in the replicator module): lost rows come back, a restored backup catches up. */
    @Test
    void replayRestoresRowsLostInPostgresAndARestoredBackupCatchesUp() throws Exception {
        TargetSchema pg = TargetSchema.create("restore", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "v")) {
            pg.snapshot(feed);
            String q = pg.q("t");
            String backupT = pg.q("backup_t");
            String backupPosition = pg.q("backup_position");
            try (Sink sink = sink(feed, pg, false)) {
                for (int i = 1; i <= 50; i++) feed.insert("t", i, i);
                awaitApplied(sink, feed.seq());
                pg.sql("CREATE TABLE " + backupT + " AS SELECT * FROM " + q, // a backup, taken now
                        "CREATE TABLE " + backupPosition + " AS SELECT * FROM replicator.sink_position WHERE target_schema = '" + pg.schema + "'");
                for (int i = 51; i <= 100; i++) {
                    feed.insert("t", i, i);
                    feed.tx().update("t", i - 50, (i - 50) * 10).commit();
                }
                awaitApplied(sink, feed.seq());
                try (Connection c = TestPostgres.connect()) {
                    assertTrue(Sink.schemaBusy(c, pg.schema), "a second sink (replay) is refused while this one applies to the schema");
                }
            }
            // rows lost in PostgreSQL: a replay from the start restores them
            pg.sql("DELETE FROM " + q + " WHERE id % 3 = 0 OR id > 90");
            assertFalse(pg.matches(feed));
            try (Sink replay = sink(feed, pg, false)) {
                replay.replay(0, null);
                while (replay.replaying() || replay.appliedSeq() < feed.seq()) {
                    if (replay.await(Duration.ofMillis(20))) throw new AssertionError("the replay stopped: " + replay.failure().getMessage());
                }
            }
            pg.assertMatches(feed, "replay restored the lost rows");
            // PostgreSQL restored from the older backup: its position went back with it; restarting the sink fills the gap
            pg.sql("TRUNCATE " + q, "INSERT INTO " + q + " SELECT * FROM " + backupT,
                    "DELETE FROM replicator.sink_position WHERE target_schema = '" + pg.schema + "'",
                    "INSERT INTO replicator.sink_position SELECT * FROM " + backupPosition, "DROP TABLE " + backupT + ", " + backupPosition);
            assertFalse(pg.matches(feed));
            try (Sink sink = sink(feed, pg, false)) {
                awaitApplied(sink, feed.seq());
            }
            pg.assertMatches(feed, "the restored database caught up from its own position");
        }
    }

    /** PostgreSQL refusing the sink for longer than --max-retry-time: /health shows the error meanwhile, then the sink stops with exit 4. */
    @Test
    void transientErrorsLongerThanTheRetryTimeStopTheSink() throws Exception {
        TargetSchema pg = TargetSchema.create("retrytime", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "v")) {
            pg.snapshot(feed);
            try (Sink sink = Sink.start(SinkSettings.builder(TestKafka.bootstrap(), feed.topic(), pg.schema, TestPostgres.target())
                    .maxRetryTime(Duration.ofSeconds(2)).build())) {
                feed.insert("t", 1, 1);
                awaitApplied(sink, feed.seq());
                AtomicBoolean stop = new AtomicBoolean();
                Thread killer = killer(stop, Long.MAX_VALUE / 2);
                try {
                    boolean sawRetrying = false;
                    long deadline = System.currentTimeMillis() + 60_000;
                    for (int i = 2; !sink.await(Duration.ofMillis(50)); i++) {
                        assertTrue(System.currentTimeMillis() < deadline, "the sink kept retrying past its retry time");
                        feed.insert("t", i, i);
                        sawRetrying |= sink.retrying() != null;
                    }
                    assertTrue(sawRetrying, "while it retried, the sink said what fails");
                    assertEquals(ExitCode.RUNTIME, sink.failure().exitCode());
                    assertTrue(sink.failure().getMessage().contains("--max-retry-time"), sink.failure().getMessage());
                } finally {
                    stop.set(true);
                    killer.join();
                }
            }
        }
    }

    /** The topic deleted and created again (a Kafka without its volume): the stored offset means nothing now, so the sink refuses to seek to it. */
    @Test
    void aTopicCreatedAgainIsRefusedInsteadOfSkippingEvents() throws Exception {
        TargetSchema pg = TargetSchema.create("recreated", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        try (FeedWriter feed = feed(pg).table("t", 1, "id", "v")) {
            pg.snapshot(feed);
            try (Sink sink = sink(feed, pg, false)) {
                for (int i = 1; i <= 5; i++) feed.insert("t", i, i);
                awaitApplied(sink, feed.seq());
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrap()))) {
                admin.deleteTopics(List.of(feed.topic())).all().get();
                long deadline = System.currentTimeMillis() + 30_000;
                while (true) { // deletion completes asynchronously: create until Kafka accepts it
                    try {
                        admin.createTopics(List.of(new NewTopic(feed.topic(), 1, (short) 1))).all().get();
                        break;
                    } catch (ExecutionException e) {
                        assertTrue(System.currentTimeMillis() < deadline, "the topic could not be created again: " + e);
                    }
                }
            }
            try (Sink sink = sink(feed, pg, false)) {
                assertTrue(sink.await(Duration.ofSeconds(60)), "the sink stops");
                String m = sink.failure().getMessage();
                assertEquals(ExitCode.BAD_CONFIG, sink.failure().exitCode());
                assertTrue(m.contains("created again") && m.contains("replay --from-seq " + feed.seq()), m);
            }
        }
    }
}

package io.replicator.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.capture.CaptureInstaller;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.connect.PostgresSinkConfig;
import io.replicator.sink.connect.PostgresSinkConnector;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.testing.ConnectWorker;
import io.replicator.testing.CounterApp;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.TestKafka;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.verify.Verifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A fleet on a real Kafka Connect distributed worker ({@link ConnectWorker}: its own JVM, the one plugin directory
 * holding both connectors): three stores, each a SQLite file snapshotted into its own schema, each fed by a source
 * connector, all three applied into one PostgreSQL by the sink connector with two tasks. Under live writes
 * ({@link CounterApp}) the worker is killed with SIGKILL mid-stream and started again. Every look at PostgreSQL must show
 * a state SQLite had (counter = ledger rows) and positions that never go back; at the end every store is equal
 * ({@link Verifier}) with exact counts and values, and Connect's consumer offsets never run ahead of PostgreSQL's.
 */
class ConnectFleetIT {
    private static final int STORES = 3;
    private static final String SINK = "pg-sink";
    private static final String SECRET = "fleet-connect-secret-pw";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private record Store(String name, Path db, String schema, String topic, long mark) {}

    @Test
    void threeStoresOnConnectSurviveAWorkerSigkillAndEndEqualWithNothingAppliedTwice() throws Exception {
        String prefix = "fleet" + ProcessHandle.current().pid();
        List<Store> stores = new ArrayList<>();
        for (int i = 0; i < STORES; i++) {
            String name = "store" + i;
            Path db = CounterApp.create(dir, name + ".db");
            SqliteSource src = SqliteSource.of(db.toString());
            new CaptureInstaller(src).install();
            String schema = TestPostgres.freshSchema("fleet_" + name);
            long mark = new Snapshotter(src, TestPostgres.target(), new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 1, JournalPolicy.REFUSE,
                    false), SnapshotProgress.NONE).run().changelogSeq();
            stores.add(new Store(name, db, schema, prefix + "." + name, mark));
        }

        long t0 = System.nanoTime();
        List<String> timings = new ArrayList<>();
        List<CounterApp> apps = new ArrayList<>();
        Map<String, CounterApp.Samples> samples = new HashMap<>();
        for (Store s : stores) samples.put(s.schema(), new CounterApp.Samples(s.schema()));
        try (ConnectWorker worker = new ConnectWorker(dir.resolve("connect")); Connection pg = TestPostgres.connect()) {
            for (Store s : stores) apps.add(CounterApp.start(s.db(), 50));
            worker.start();
            for (Store s : stores) {
                worker.putConnector("src-" + s.name(), Map.of(
                        "connector.class", SqliteSourceConnector.class.getName(),
                        "tasks.max", "1",
                        FeedConfig.SQLITE_PATH, s.db().toString(),
                        FeedConfig.DATABASE_NAME, s.name(),
                        FeedConfig.TOPIC_PREFIX, prefix,
                        FeedConfig.START_SEQ, Long.toString(s.mark()),
                        "topic.creation.default.partitions", "1",
                        "topic.creation.default.replication.factor", "-1"));
            }
            awaitTopics(stores); // a consumer notices a topic created after it subscribed only at its next metadata refresh
            worker.putConnector(SINK, sinkConfig(stores));
            awaitRunning(worker, SINK, 2);
            timings.add("sink tasks running " + ms(t0) + " ms");

            awaitAllApplied(stores, samples, pg, worker);
            timings.add("caught up " + ms(t0) + " ms");
            assertEquals(2, taskThreadsApplying(worker), "the three stores spread over both sink tasks");
            for (Store s : stores) {
                assertTrue(ReplicatorProcess.appliedSeq(s.schema()) > s.mark(), s.name() + " applied past its hand-off");
            }
            String beforeKill = positions(stores);

            worker.kill();
            for (Store s : stores) samples.get(s.schema()).check(pg);
            long more = apps.get(0).committed() + 30; // the applications go on while no worker runs
            Await.until("30 more transactions", Duration.ofSeconds(30), () -> apps.get(0).committed() >= more, () -> "at " + apps.get(0).committed());
            timings.add("killed " + ms(t0) + " ms");
            worker.restart();
            awaitRunning(worker, SINK, 2);
            timings.add("restarted, sink tasks running " + ms(t0) + " ms");
            awaitAllApplied(stores, samples, pg, worker);
            timings.add("caught up again " + ms(t0) + " ms");

            long[] committed = new long[STORES];
            for (int i = 0; i < STORES; i++) committed[i] = apps.get(i).stop();
            awaitAllApplied(stores, samples, pg, worker);

            for (int i = 0; i < STORES; i++) {
                Store s = stores.get(i);
                CounterApp.Sample last = samples.get(s.schema()).check(pg);
                assertEquals(committed[i], last.counter(), s.name() + ": every transaction applied once (the counter)");
                CounterApp.assertLedgerExact(s.schema(), committed[i]);
                assertTrue(new Verifier(SqliteSource.of(s.db().toString()), TestPostgres.target(), s.schema(), 10).run().equal(),
                        s.name() + ": PostgreSQL ends equal to SQLite");
            }
            assertConsumerOffsetsNotAhead(worker, stores);
            assertStatusReadsTheFeedPositionFromConnect(worker, stores.get(0));
            for (Path log : List.of(worker.log(), dir.resolve("connect").resolve("worker-1.log"))) {
                assertFalse(java.nio.file.Files.readString(log).contains(SECRET), "the password never appears in " + log);
            }
            System.out.printf("fleet on Connect: before the SIGKILL %s; at the end %s; transactions %s; samples %s; %s%n", beforeKill, positions(stores),
                    java.util.Arrays.toString(committed), samples.values().stream().map(CounterApp.Samples::taken).toList(), timings);
        } finally {
            for (CounterApp a : apps) a.close();
        }
    }

    private static Map<String, String> sinkConfig(List<Store> stores) {
        List<String> topics = new ArrayList<>();
        List<String> map = new ArrayList<>();
        for (Store s : stores) {
            topics.add(s.topic());
            map.add(s.topic() + "=" + s.schema());
        }
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PostgresSinkConnector.class.getName());
        c.put("tasks.max", "2");
        c.put("topics", String.join(",", topics));
        c.put(PostgresSinkConfig.TOPIC_SCHEMA_MAP, String.join(",", map));
        c.put(PostgresSinkConfig.POSTGRES_URL, TestPostgres.url()); // no password in the URL: the test server trusts local connections
        c.put(PostgresSinkConfig.POSTGRES_PASSWORD, SECRET); // accepted and ignored by trust, so it must never be shown
        c.put("key.converter", PostgresSinkConfig.BYTE_ARRAY_CONVERTER);
        c.put("value.converter", PostgresSinkConfig.BYTE_ARRAY_CONVERTER);
        // the default range assignor would give all three single-partition topics to one task
        c.put("consumer.override.partition.assignment.strategy", "org.apache.kafka.clients.consumer.RoundRobinAssignor");
        return c;
    }

    /** Each store's topic exists (its source connector published a first batch). */
    private static void awaitTopics(List<Store> stores) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrap()))) {
            Await.until("the stores' topics exist", TIMEOUT, () -> {
                Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                return stores.stream().allMatch(s -> names.contains(s.topic()));
            });
        }
    }

    /** The connector and {@code tasks} tasks RUNNING on this worker process; a FAILED one fails the test with its trace. */
    private static void awaitRunning(ConnectWorker worker, String name, int tasks) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode s = worker.connectorStatus(name);
            int running = 0;
            if (s != null) {
                for (JsonNode t : s.path("tasks")) {
                    if ("FAILED".equals(t.path("state").asText()) && worker.workerId().equals(t.path("worker_id").asText())) {
                        fail("task " + t.path("id") + " of " + name + " failed: " + t.path("trace").asText());
                    }
                    if ("RUNNING".equals(t.path("state").asText()) && worker.workerId().equals(t.path("worker_id").asText())) running++;
                }
            }
            if (running == tasks) return;
            if (System.nanoTime() > deadline) fail(name + ": " + running + " of " + tasks + " tasks running after " + TIMEOUT + ": " + s);
            Thread.sleep(100);
        }
    }

    /** Until every store's PostgreSQL position reaches its SQLite file's newest change, checking every look. */
    private static void awaitAllApplied(List<Store> stores, Map<String, CounterApp.Samples> samples, Connection pg, ConnectWorker worker) throws Exception {
        Map<String, Long> targets = new HashMap<>();
        for (Store s : stores) targets.put(s.schema(), ReplicatorProcess.maxSeq(s.db()));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Set<String> done = new HashSet<>();
        while (done.size() < stores.size()) {
            for (Store s : stores) {
                if (samples.get(s.schema()).check(pg).seq() >= targets.get(s.schema())) done.add(s.schema());
            }
            if (System.nanoTime() > deadline) {
                fail("not applied up to " + targets + " within " + TIMEOUT + ": " + positions(stores) + "\n" + worker.connectorStatus(SINK));
            }
            Thread.sleep(20);
        }
    }

    /** Connect's committed consumer offsets are advisory: never past the offset after PostgreSQL's stored position. */
    private static void assertConsumerOffsetsNotAhead(ConnectWorker worker, List<Store> stores) throws Exception {
        JsonNode offsets = worker.offsets(SINK).path("offsets");
        Map<String, Long> connect = new HashMap<>();
        for (JsonNode o : offsets) connect.put(o.path("partition").path("kafka_topic").asText(), o.path("offset").path("kafka_offset").asLong());
        try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement(
                "SELECT kafka_offset FROM replicator.sink_position WHERE target_schema = ?")) {
            for (Store s : stores) {
                ps.setString(1, s.schema());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    long stored = rs.getLong(1);
                    Long c = connect.get(s.topic());
                    if (c != null) assertTrue(c <= stored + 1, s.topic() + ": Connect committed offset " + c + ", PostgreSQL's position is offset " + stored);
                }
            }
        }
        assertFalse(connect.isEmpty(), "Connect committed the sink's offsets: " + offsets);
    }

    /** {@code status --connect-url --connector}: the published position is the one Connect holds for the source connector. */
    private void assertStatusReadsTheFeedPositionFromConnect(ConnectWorker worker, Store s) throws Exception {
        long end = ReplicatorProcess.maxSeq(s.db());
        String connector = "src-" + s.name();
        Await.until("Connect committed the feed's position " + end, TIMEOUT, () -> sourceSeq(worker, connector) >= end);
        ReplicatorProcess status = ReplicatorProcess.start(dir, "status", "--sqlite", s.db().toString(), "--postgres", TestPostgres.url(), "--schema", s.schema(),
                "--connect-url", "http://" + worker.workerId(), "--connector", connector, "--json");
        assertEquals(0, status.awaitExit(60), status.output());
        String out = status.output();
        JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1));
        assertEquals("connect", j.path("published_from").asText(), out);
        assertEquals(sourceSeq(worker, connector), j.path("published_seq").asLong(), out);
        assertEquals(end, j.path("published_seq").asLong(), out);
        assertTrue(j.path("published_stored").asBoolean(), out);
        assertEquals(end, j.path("applied_seq").asLong(), out);
    }

    /** How many of the sink connector's task threads logged that they apply a topic (in this worker process's log). */
    private static long taskThreadsApplying(ConnectWorker worker) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("\\[(task-thread-" + SINK + "-\\d+)\\].*sink task applies topic");
        return worker.logLines().stream().map(p::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1)).distinct().count();
    }

    private static long sourceSeq(ConnectWorker worker, String connector) throws Exception {
        long seq = -1;
        for (JsonNode o : worker.offsets(connector).path("offsets")) seq = Math.max(seq, o.path("offset").path(SourcePartition.SEQ).asLong(-1));
        return seq;
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static String positions(List<Store> stores) {
        StringBuilder b = new StringBuilder();
        for (Store s : stores) b.append(s.name()).append('=').append(ReplicatorProcess.appliedSeq(s.schema())).append(' ');
        return b.toString().trim();
    }
}

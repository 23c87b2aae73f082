package io.replicator.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.testing.ConnectWorker;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.TestKafka;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The connector unchanged on a real Kafka Connect distributed worker ({@link ConnectWorker}: its own JVM, the plugin
 * on plugin.path, offsets in a Kafka topic, the REST API), restarted five times while an application writes,
 * alternately by SIGTERM (Connect commits the task's last offset) and SIGKILL (it does not).
 *
 * <p>The connector runs with {@code changelog.retention.ms=0}: every changelog row is pruned soon after Connect has
 * committed past it. So a start that misses its committed offset (a source partition serialized in another key
 * order than the one the offset is stored under, say) either starts again from the snapshot mark and stops with a
 * changelog gap (task FAILED), or starts from an older position than the one committed: each start is checked
 * against the offset stored in Kafka, and at the end every row the application wrote must be in the topic
 * (duplicates are allowed: delivery is at least once).
 */
class ConnectDistributedIT {
    private static final String NAME = "sqlite-feed";
    private static final String DATABASE = "shop";
    private static final String TOPIC = "connect-it." + DATABASE;
    private static final Pattern STARTS = Pattern.compile("feed of .* starts after changelog seq (\\d+) into topic (\\S+)");
    private static final int RESTARTS = 5;
    private static final Duration STREAMING = Duration.ofSeconds(3);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kept when the test fails: the worker's logs are under connect/worker-N.log. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** Every answer of GET /connectors/NAME/offsets so far (its seq), across all worker processes. */
    private final List<Long> restSeqs = new ArrayList<>();
    /** The first and the latest answer of GET /connectors/NAME/offsets, as text (printed at the end). */
    private final List<String> restAnswers = new ArrayList<>();

    @Test
    void aWorkerRestartedBySigtermAndSigkillMidStreamResumesAtTheCommittedOffsetAndLosesNoChange() throws Exception {
        Path db = SqliteFiles.create(dir, DATABASE + ".db", "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        long mark = FeedIT.installCapture(db);

        try (Writer writer = new Writer(db); ConnectWorker worker = new ConnectWorker(dir.resolve("connect"))) {
            worker.start();
            worker.putConnector(NAME, Map.of(
                    "connector.class", SqliteSourceConnector.class.getName(),
                    "tasks.max", "1",
                    FeedConfig.SQLITE_PATH, db.toString(),
                    FeedConfig.DATABASE_NAME, DATABASE,
                    FeedConfig.TOPIC_PREFIX, "connect-it",
                    FeedConfig.START_SEQ, Long.toString(mark),
                    FeedConfig.RETENTION_MS, "0",
                    FeedConfig.PRUNE_INTERVAL_MS, "200"));
            TaskStart first = awaitTaskStart(worker);
            assertEquals(mark, first.seq(), "the first start has no stored offset: it starts after the snapshot mark");
            assertRunning(worker, first);
            stream(worker);

            for (int i = 1; i <= RESTARTS; i++) {
                boolean sigkill = i % 2 == 0;
                long lastSeen = restSeq(worker);
                long t0 = System.nanoTime();
                if (sigkill) worker.kill();
                else worker.stop();
                long stopped = System.nanoTime();
                long stored = lastStoredSeq(worker);
                worker.restart();
                long up = System.nanoTime();
                TaskStart start = awaitTaskStart(worker);
                long n = start.seq();
                long running = System.nanoTime();
                System.out.printf("restart %d by %s: stopped in %d ms, REST up %d ms later, task %s %d ms after that;"
                                + " offset seen before %d, stored %d, start after %d%n", i, sigkill ? "SIGKILL" : "SIGTERM",
                        ms(stopped - t0), ms(up - stopped), start.state(), ms(running - up), lastSeen, stored, n);

                assertEquals(stored, n, "restart " + i + " (" + (sigkill ? "SIGKILL" : "SIGTERM") + ") starts after the offset Connect stored");
                assertTrue(n >= lastSeen, "restart " + i + " starts after " + n + ", behind the offset " + lastSeen + " the previous worker showed");
                if (lastSeen > mark) assertNotEquals(mark, n, "restart " + i + " fell back to the snapshot mark although an offset was committed");
                assertRunning(worker, start);
                stream(worker);
            }

            long lastId = writer.stop();
            long maxSeq = ReplicatorProcess.maxSeq(db);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (restSeq(worker) < maxSeq) {
                if (System.nanoTime() > deadline) fail("Connect's committed seq did not reach the changelog's " + maxSeq + ": " + restSeqs.get(restSeqs.size() - 1));
                assertNotEquals("FAILED", worker.taskState(NAME), () -> "the task failed:\n" + status(worker));
                Thread.sleep(100);
            }
            assertEquals("RUNNING", worker.taskState(NAME), () -> status(worker));

            // every row the application inserted is in some event (at least once: duplicates allowed, gaps not)
            BitSet seen = new BitSet();
            int[] read = {0};
            try (EventTail tail = new EventTail(TestKafka.bootstrap(), TOPIC)) {
                tail.until(events -> {
                    for (; read[0] < events.size(); read[0]++) {
                        Struct e = events.get(read[0]);
                        if (e.getString("op").equals(ChangeEventFormat.OP_CREATE) || e.getString("op").equals(ChangeEventFormat.OP_UPDATE)) {
                            SqliteValue id = ChangeEventFormat.decodeRow(e.getStruct("after")).get("id");
                            seen.set((int) id.asLong());
                        }
                    }
                    return seen.nextClearBit(1) > lastId;
                }, Duration.ofSeconds(30));
                System.out.printf("%d rows written in %d transactions, %d events in the topic%n", lastId, lastId, tail.events.size());
            }

            // the premise: pruning did delete published rows, so a missed offset would have met a gap
            assertTrue(minSeq(db) > mark + lastId / 2, "the changelog was pruned as Connect committed (min seq " + minSeq(db) + ")");
            // and Connect holds the position under one key: the partition map was serialized the same way by every start
            List<ConnectWorker.StoredOffset> stored = worker.storedOffsets(NAME);
            System.out.printf("GET offsets, first answer: %s, last: %s; offsets topic key: %s%n", restAnswers.get(0), restAnswers.get(1),
                    stored.get(stored.size() - 1).key());
            assertEquals(1, stored.stream().map(ConnectWorker.StoredOffset::key).distinct().count(),
                    () -> "offsets stored under several spellings of the source partition: " + stored.stream().map(ConnectWorker.StoredOffset::key).distinct().toList());
        }
    }

    /** One start of the task: N of its log line "starts after changelog seq N", and its state on this worker then. */
    private record TaskStart(long seq, String state) {}

    /**
     * Waits for this process's task start: the first log line "starts after changelog seq N" of this process, and the
     * task RUNNING (or FAILED) on this worker. A FAILED start is returned, not thrown, so the caller checks N first.
     */
    private static TaskStart awaitTaskStart(ConnectWorker worker) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Long n = null;
        while (true) {
            if (!worker.isAlive()) fail("the worker exited:\n" + tail(worker));
            if (n == null) {
                for (String line : worker.logLines()) {
                    Matcher m = STARTS.matcher(line);
                    if (m.find()) {
                        assertEquals(TOPIC, m.group(2));
                        n = Long.parseLong(m.group(1));
                        break;
                    }
                }
            }
            String state = worker.taskState(NAME);
            if (n != null && ("RUNNING".equals(state) || "FAILED".equals(state))) return new TaskStart(n, state);
            if ("FAILED".equals(state)) fail("the task failed before it started:\n" + status(worker));
            if (System.nanoTime() > deadline) fail("the task did not start within " + TIMEOUT + " (state " + state + "):\n" + tail(worker));
            Thread.sleep(100);
        }
    }

    /** The task and the connector run on this worker. */
    private static void assertRunning(ConnectWorker worker, TaskStart start) throws Exception {
        assertEquals("RUNNING", start.state(), () -> "the task: " + status(worker));
        assertEquals("RUNNING", worker.connectorStatus(NAME).path("connector").path("state").asText(), () -> "the connector: " + status(worker));
    }

    /** A few seconds of streaming, watching the committed position through the REST API and the task's state. */
    private void stream(ConnectWorker worker) throws Exception {
        long end = System.nanoTime() + STREAMING.toNanos();
        while (System.nanoTime() < end) {
            restSeq(worker);
            if (!"RUNNING".equals(worker.taskState(NAME))) fail("the task is not running:\n" + status(worker));
            Thread.sleep(250);
        }
    }

    /**
     * The seq of GET /connectors/NAME/offsets, or -1 while nothing was committed yet. Once there is a position it
     * stays there (non-null) and only grows, across restarts too.
     */
    private long restSeq(ConnectWorker worker) throws Exception {
        JsonNode answer = worker.offsets(NAME);
        if (restAnswers.size() == 2) restAnswers.remove(1);
        restAnswers.add(answer.toString());
        JsonNode offsets = answer.path("offsets");
        long seq = -1;
        for (JsonNode o : offsets) {
            assertEquals(DATABASE, o.path("partition").path(SourcePartition.DATABASE).asText(), offsets::toString);
            assertTrue(o.path("offset").path(SourcePartition.SEQ).isIntegralNumber(), () -> "a position: " + offsets);
            seq = Math.max(seq, o.path("offset").path(SourcePartition.SEQ).asLong());
        }
        long prev = restSeqs.isEmpty() ? -1 : restSeqs.get(restSeqs.size() - 1);
        if (prev >= 0) assertTrue(seq >= prev, "GET offsets went from seq " + prev + " to " + (seq < 0 ? "none" : seq) + ": " + offsets);
        restSeqs.add(seq);
        return seq;
    }

    /** The position the newest record of the offsets topic holds for the connector (what a new worker resumes from). */
    private static long lastStoredSeq(ConnectWorker worker) throws Exception {
        List<ConnectWorker.StoredOffset> stored = worker.storedOffsets(NAME);
        if (stored.isEmpty()) return -1;
        return JSON.readTree(stored.get(stored.size() - 1).value()).path(SourcePartition.SEQ).asLong();
    }

    private static String status(ConnectWorker worker) {
        try {
            return worker.connectorStatus(NAME) + "\n" + tail(worker);
        } catch (Exception e) {
            return "(no status: " + e + ")\n" + tail(worker);
        }
    }

    private static String tail(ConnectWorker worker) {
        List<String> l = worker.logLines();
        return worker.log() + ":\n" + String.join("\n", l.subList(Math.max(0, l.size() - 25), l.size()));
    }

    private static long minSeq(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(seq) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * The application: about 50 transactions a second, each inserting row {@code id} = 1, 2, 3… and touching the row
     * before it, for as long as the test runs.
     */
    private static final class Writer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong committed = new AtomicLong();
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final Thread thread;

        Writer(Path db) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA busy_timeout = 5000");
                    }
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO items (id, v) VALUES (?, 'new')");
                         PreparedStatement upd = c.prepareStatement("UPDATE items SET v = 'next is ' || ? WHERE id = ?")) {
                        for (long id = 1; !stop.get(); id++) {
                            c.setAutoCommit(false);
                            ins.setLong(1, id);
                            ins.executeUpdate();
                            upd.setLong(1, id);
                            upd.setLong(2, id - 1);
                            upd.executeUpdate();
                            c.commit();
                            c.setAutoCommit(true);
                            committed.set(id);
                            Thread.sleep(20);
                        }
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            }, "app-writer");
            thread.start();
        }

        /** Stops writing; the id of the last committed row. */
        long stop() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
            if (error.get() != null) throw new AssertionError("the application's writer failed", error.get());
            return committed.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }
}

package io.replicator.bench;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.stream.EmbeddedKafka;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Change feed benchmark, everything real and in one JVM (embedded broker):
 * <ol>
 * <li>latency: an application commits N transactions per second (one row each); for every row, the time from
 * its COMMIT returning to its event arriving at a Kafka consumer; prints p50/p95/p99/max;</li>
 * <li>throughput: R row changes committed while the feed is down, then the time for the feed to publish all
 * of them (acknowledged by Kafka).</li>
 * </ol>
 * Every figure is also printed as one {@code result {json}} line (see {@link BenchResult}).
 * <p>
 * Usage: FeedBench [txPerSecond=1000] [seconds=20] [throughputRows=500000] [--parts latency,throughput] [--warmup S]
 */
public final class FeedBench {
    /** A failure of the consumer thread: the latency figures would be wrong, so the bench fails. */
    private static final AtomicReference<Exception> FAILURE = new AtomicReference<>();

    public static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, Set.of("parts", "warmup"), Set.of());
        int rate = a.positional(0, 1000);
        int seconds = a.positional(1, 20);
        int rows = a.positional(2, 500_000);
        List<String> parts = a.parts("parts", List.of("latency", "throughput"), Set.of("latency", "throughput"));
        int warmup = a.integer("warmup", 5);
        if (warmup >= seconds) throw new IllegalArgumentException("--warmup (" + warmup + " s) must be shorter than the run (" + seconds + " s)");
        Path dir = Files.createTempDirectory("feed-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            if (parts.contains("latency")) latency(kafka, dir, rate, seconds, warmup);
            if (parts.contains("throughput")) throughput(kafka, dir, rows);
        }
    }

    private static Path database(Path dir, String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, amount REAL, payload TEXT)");
        }
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        return db;
    }

    /**
     * Each side records its own times by row id (the writer when COMMIT returned, the consumer when the event
     * arrived and the feed's read time in it); latencies are computed once both are done, so an event that
     * overtakes the writer's bookkeeping is still counted. Rows of the first {@code warmupSeconds} (JIT
     * compilation of broker, client and feed) are not counted.
     */
    static void latency(EmbeddedKafka kafka, Path dir, int rate, int seconds, int warmupSeconds) throws Exception {
        Path db = database(dir, "latency.db");
        int total = rate * seconds;
        long[] committedAt = new long[total + 1], committedAtMillis = new long[total + 1];
        long[] arrivedAt = new long[total + 1], readAtMillis = new long[total + 1];
        AtomicLong arrived = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        double achieved;
        FeedSettings settings = FeedSettings.defaults(db, 0, dir.resolve("state-latency"));
        try (ChangeFeed feed = ChangeFeed.start(settings, kafka.bootstrapServers())) {
            Thread consumer = new Thread(() -> consume(kafka, settings.topic(), arrivedAt, readAtMillis, arrived, stop), "bench-consumer");
            consumer.start();
            Thread.sleep(1000);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 PreparedStatement ins = c.prepareStatement("INSERT INTO events VALUES (?, 'order', 12.5, 'payload of a typical row')")) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA synchronous = NORMAL"); // the usual setting of a WAL application
                }
                c.setAutoCommit(false);
                long start = System.nanoTime();
                long intervalNanos = 1_000_000_000L / rate;
                for (int i = 1; i <= total; i++) {
                    long due = start + i * intervalNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    ins.setLong(1, i);
                    ins.executeUpdate();
                    c.commit();
                    committedAt[i] = System.nanoTime();
                    committedAtMillis[i] = System.currentTimeMillis();
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                achieved = total / elapsed;
                System.out.printf("latency: wrote %d transactions in %.1f s (%.0f tx/s)%n", total, elapsed, achieved);
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (arrived.get() < total && System.currentTimeMillis() < deadline && FAILURE.get() == null) Thread.sleep(20);
            stop.set(true);
            consumer.join();
            if (FAILURE.get() != null) throw FAILURE.get();
        }
        int warm = Math.min(total, rate * warmupSeconds);
        long[] got = new long[total - warm], rd = new long[total - warm];
        int n = 0;
        for (int i = warm + 1; i <= total; i++) {
            if (arrivedAt[i] == 0) continue;
            got[n] = arrivedAt[i] - committedAt[i];
            rd[n++] = (readAtMillis[i] - committedAtMillis[i]) * 1_000_000L;
        }
        if (n < got.length) throw new IllegalStateException("only " + n + " of " + got.length + " events reached the consumer within 30 s of the last commit");
        Arrays.sort(rd);
        Arrays.sort(got);
        System.out.printf("latency: commit -> read by the feed p50 %.1f ms, p99 %.1f ms%n", pct(rd, 50), pct(rd, 99));
        System.out.printf("latency: %d events after a %d s warm-up, commit -> consumer p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n", got.length,
                warmupSeconds, pct(got, 50), pct(got, 95), pct(got, 99), got.length == 0 ? 0 : got[got.length - 1] / 1e6);
        BenchResult.of("feed", "latency").put("offered_tx_per_s", rate).put("achieved_tx_per_s", achieved).put("seconds", seconds)
                .put("warmup_seconds", warmupSeconds).put("measured_events", got.length).put("p50_ms", pct(got, 50)).put("p95_ms", pct(got, 95))
                .put("p99_ms", pct(got, 99)).put("max_ms", got[got.length - 1] / 1e6)
                .put("read_by_feed_p50_ms", pct(rd, 50)).put("read_by_feed_p99_ms", pct(rd, 99)).emit();
    }

    private static void consume(EmbeddedKafka kafka, String topic, long[] arrivedAt, long[] readAtMillis, AtomicLong arrived, AtomicBoolean stop) {
        JsonConverter conv = new JsonConverter();
        conv.configure(Map.of("schemas.enable", "true"), false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    Struct e = (Struct) conv.toConnectData(topic, r.value()).value();
                    if (e.getStruct("after") == null) continue;
                    long id = ChangeEventFormat.decodeRow(e.getStruct("after")).get("id").asLong();
                    if (id >= 1 && id < arrivedAt.length && arrivedAt[(int) id] == 0) {
                        arrivedAt[(int) id] = now;
                        readAtMillis[(int) id] = e.getInt64("ts_ms");
                        arrived.incrementAndGet(); // published after the times: the main thread reads them after join
                    }
                }
            }
        } catch (Exception e) {
            FAILURE.compareAndSet(null, e);
        }
    }

    static void throughput(EmbeddedKafka kafka, Path dir, int rows) throws Exception {
        Path db = database(dir, "throughput.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ins = c.prepareStatement("INSERT INTO events VALUES (?, 'order', ?, 'payload of a typical row')")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= rows; i++) {
                ins.setLong(1, i);
                ins.setDouble(2, i * 0.01);
                ins.executeUpdate();
                if (i % 1000 == 0) c.commit();
            }
            c.commit();
        }
        long start = System.nanoTime();
        try (ChangeFeed feed = ChangeFeed.start(FeedSettings.defaults(db, 0, dir.resolve("state-throughput")), kafka.bootstrapServers())) {
            long first = 0, firstSeq = 0;
            while (feed.publishedSeq() < rows) {
                if (feed.await(Duration.ofMillis(5))) throw feed.failure();
                if (first == 0 && feed.publishedSeq() > 0) {
                    first = System.nanoTime();
                    firstSeq = feed.publishedSeq();
                }
            }
            long end = System.nanoTime();
            double all = (end - start) / 1e9;
            double sustained = (end - first) / 1e9;
            System.out.printf("throughput: %d row changes published (acknowledged by Kafka) in %.2f s from start = %.0f/s; sustained after the first batch %.0f row changes/s%n",
                    rows, all, rows / all, (rows - firstSeq) / sustained);
            BenchResult.of("feed", "throughput").put("row_changes", rows).put("seconds", all).put("row_changes_per_s", rows / all)
                    .put("sustained_row_changes_per_s", (rows - firstSeq) / sustained).emit();
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}

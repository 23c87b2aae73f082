package io.replicator.bench;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import io.replicator.kafka.EmbeddedKafka;
import io.replicator.snapshot.source.SqliteSource;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Change feed benchmark, everything real and in one JVM (embedded broker):
 * <ol>
 * <li>latency: an application commits N transactions per second (one row each); for every row, the time from
 * its COMMIT returning to its event arriving at a Kafka consumer; prints p50/p95/p99/max;</li>
 * <li>throughput: R row changes committed while the feed is down, then the time for the feed to publish all
 * of them (acknowledged by Kafka).</li>
 * </ol>
 * Usage: FeedBench [txPerSecond=1000] [seconds=20] [throughputRows=500000]
 */
public final class FeedBench {
    static final Map<Long, Long> committedAtMillis = new ConcurrentHashMap<>();
    static final long[] readDelay = new long[1_000_000];
    static int nRead;
    /** Rows of the first seconds (JIT compilation of broker, client and feed on 2 cores) are not counted. */
    static long WARMUP_ROWS;

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;
        Path dir = Files.createTempDirectory("feed-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            latency(kafka, dir, rate, seconds);
            throughput(kafka, dir, rows);
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

    static void latency(EmbeddedKafka kafka, Path dir, int rate, int seconds) throws Exception {
        Path db = database(dir, "latency.db");
        WARMUP_ROWS = rate * 5L;
        Map<Long, Long> committedAt = new ConcurrentHashMap<>();
        committedAtMillis.clear();
        long[] lat = new long[rate * seconds];
        int[] n = {0};
        AtomicBoolean stop = new AtomicBoolean();
        FeedSettings settings = FeedSettings.defaults(db, 0, dir.resolve("state-latency"));
        try (ChangeFeed feed = ChangeFeed.start(settings, kafka.bootstrapServers())) {
            Thread consumer = new Thread(() -> consume(kafka, settings.topic(), committedAt, lat, n, stop), "bench-consumer");
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
                for (long i = 1; i <= (long) rate * seconds; i++) {
                    long due = start + i * intervalNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    ins.setLong(1, i);
                    ins.executeUpdate();
                    c.commit();
                    committedAt.put(i, System.nanoTime());
                    committedAtMillis.put(i, System.currentTimeMillis());
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.out.printf("latency: wrote %d transactions in %.1f s (%.0f tx/s)%n", rate * seconds, elapsed, rate * seconds / elapsed);
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (n[0] < lat.length && System.currentTimeMillis() < deadline) Thread.sleep(50);
            stop.set(true);
            consumer.join();
        }
        long[] rd = Arrays.copyOf(readDelay, nRead);
        Arrays.sort(rd);
        System.out.printf("latency: commit -> read by the feed p50 %.1f ms, p99 %.1f ms%n", pct(rd, 50), pct(rd, 99));
        long[] got = Arrays.copyOf(lat, n[0]);
        Arrays.sort(got);
        System.out.printf("latency: %d events after a 5 s warm-up, commit -> consumer p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n", got.length,
                pct(got, 50), pct(got, 95), pct(got, 99), got.length == 0 ? 0 : got[got.length - 1] / 1e6);
    }

    private static void consume(EmbeddedKafka kafka, String topic, Map<Long, Long> committedAt, long[] lat, int[] n, AtomicBoolean stop) {
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
                    SqliteValue id = ChangeEventFormat.decodeRow(e.getStruct("after")).get("id");
                    Long at = committedAt.get(id.asLong());
                    if (at != null && n[0] < lat.length && id.asLong() > WARMUP_ROWS) {
                        lat[n[0]++] = now - at;
                        readDelay[nRead++] = (e.getInt64("ts_ms") - committedAtMillis.get(id.asLong())) * 1_000_000L;
                    }
                }
            }
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
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}

package io.replicator.stream;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.replicator.core.ReplicatorException;
import io.replicator.feed.SqliteSourceConnector;
import io.replicator.feed.SqliteSourceTask;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The change feed in this process: Debezium Embedded runs {@link SqliteSourceConnector}, and each batch it
 * hands over is produced to Kafka with an idempotent producer ({@code acks=all}) and marked processed only
 * once Kafka acknowledged all of it. The engine commits offsets (to a file under the state directory) only
 * for processed records, so the position never passes an event Kafka does not have: a crash re-sends, never skips.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    private final FeedSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final FeedInstruments.Binding watched;
    private final EventJson json = new EventJson();
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishedSeq = new AtomicLong(-1);
    private final Thread thread;
    private boolean closed;

    private ChangeFeed(FeedSettings settings, String bootstrap, FeedInstruments instruments) {
        this.settings = settings;
        this.producer = new KafkaProducer<>(producerConfig(bootstrap, settings.databaseName()), new ByteArraySerializer(), new ByteArraySerializer());
        this.watched = instruments.producerOpened(producer);
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(engineConfig(settings))
                .notifying((records, committer) -> publish(records, committer))
                .using((success, message, error) -> {
                    if (!success || error != null) failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                    done.countDown();
                })
                .build();
        this.thread = new Thread(engine, "change-feed");
    }

    /** Prepares the topic and starts the feed in the background. */
    public static ChangeFeed start(FeedSettings settings, String bootstrap) {
        return start(settings, bootstrap, FeedInstruments.NONE);
    }

    /** Prepares the topic and starts the feed in the background, its producer watched by {@code instruments}. */
    public static ChangeFeed start(FeedSettings settings, String bootstrap, FeedInstruments instruments) {
        try {
            Files.createDirectories(settings.offsetsFile().getParent());
        } catch (IOException e) {
            throw ReplicatorException.runtime("cannot create the state directory " + settings.stateDir() + ": " + e.getMessage(), e);
        }
        FeedTopic.ensure(bootstrap, settings.topic());
        ChangeFeed f = new ChangeFeed(settings, bootstrap, instruments);
        f.thread.start();
        return f;
    }

    /** @param name the source's name: the client id {@code replicator-feed.<name>} keeps a fleet's producers apart in Kafka */
    private static Properties producerConfig(String bootstrap, String name) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "replicator-feed." + name);
        return p;
    }

    private static Properties engineConfig(FeedSettings s) {
        Properties p = new Properties();
        p.put("name", "replicator-feed-" + s.databaseName());
        p.put("connector.class", SqliteSourceConnector.class.getName());
        p.put("offset.storage", AtomicFileOffsetStore.class.getName());
        p.put("offset.storage.file.filename", s.offsetsFile().toString());
        p.put("offset.flush.interval.ms", "1000");
        p.put("offset.flush.timeout.ms", "10000");
        p.put("max.batch.size", Integer.toString(Math.max(2048, s.batchMaxRows() * 2)));
        p.put("max.queue.size", Integer.toString(Math.max(8192, s.batchMaxRows() * 8)));
        p.put("errors.max.retries", "0");
        p.putAll(s.connectorConfig());
        return p;
    }

    private void publish(List<RecordChangeEvent<SourceRecord>> batch, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (RecordChangeEvent<SourceRecord> e : batch) {
            SourceRecord r = e.record();
            byte[] k = r.key() == null ? null : json.write(r.keySchema(), r.key());
            byte[] v = json.write(r.valueSchema(), r.value());
            acks.add(producer.send(new ProducerRecord<>(r.topic(), r.kafkaPartition(), r.timestamp(), k, v)));
        }
        producer.flush();
        for (Future<RecordMetadata> a : acks) {
            try {
                a.get();
            } catch (ExecutionException ex) {
                throw new IllegalStateException("Kafka did not acknowledge an event (" + ex.getCause() + "); the feed stops and,"
                        + " restarted, sends again from its last committed position", ex.getCause());
            }
        }
        for (RecordChangeEvent<SourceRecord> e : batch) {
            committer.markProcessed(e);
            Object seq = e.record().sourceOffset().get("seq");
            if (seq instanceof Number n) publishedSeq.set(n.longValue());
        }
        committer.markBatchFinished();
        published.addAndGet(batch.size());
    }

    public FeedSettings settings() {
        return settings;
    }

    /** Events acknowledged by Kafka since this feed started. */
    public long publishedEvents() {
        return published.get();
    }

    /** The changelog position of the last acknowledged event, or -1 before the first. */
    public long publishedSeq() {
        return publishedSeq.get();
    }

    /** Waits until the feed stops on its own (an error) or {@code timeout} passes; true if it stopped. */
    public boolean await(Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the feed stopped, as an error a person can act on; null while running or after a clean stop. */
    public ReplicatorException failure() {
        Throwable t = failure.get();
        if (t == null) return null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SqliteSourceTask.FeedStoppedException f) return f.reason();
            if (c instanceof ReplicatorException r) return r;
        }
        return ReplicatorException.runtime("the change feed stopped: " + t.getMessage(), t);
    }

    /** Stops polling, flushes the position of what Kafka acknowledged, and closes the producer. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            engine.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing the feed engine: {}", e.toString());
        }
        try {
            done.await(30, TimeUnit.SECONDS);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watched.close();
        producer.close(Duration.ofSeconds(10));
    }
}

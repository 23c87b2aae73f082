package io.replicator.sink.connect;

import io.replicator.core.ReplicatorException;
import io.replicator.sink.HandOff;
import io.replicator.sink.TopicApplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Applies the topics Connect assigns to this task, one {@link TopicApplier} per topic (the sink of {@code run}, driven
 * by Connect's consumer). The position lives in PostgreSQL, in the transaction of the rows it covers; Connect's
 * consumer offsets are advisory only:
 * <ul>
 *   <li>{@link #open}: prepares the hand-off ({@link HandOff#prepare}: the snapshot's mark on a first start), takes the
 *       schema's lock, reads the stored position and rewinds Connect's consumer to it ({@code context.offset}).</li>
 *   <li>{@link #put}: applies; after a retried error or a dead-lettered event, rewinds to the stored position.</li>
 *   <li>{@link #preCommit}: reports only the offsets PostgreSQL has committed, never what Connect delivered.</li>
 * </ul>
 * Records must be read with the {@code ByteArrayConverter} (key and value): the sink decodes the feed's bytes itself,
 * and a dead-lettered event goes out as it came in. A failure that retrying cannot fix fails the task with the sink's
 * own words (what, where, what to do), as {@code run} would stop.
 */
public final class PostgresSinkTask extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSinkTask.class);
    /** How long a dead-lettered event may take to reach the dead-letter queue before the task fails rather than skip it. */
    private static final long DEAD_LETTER_TIMEOUT_S = 30;

    private PostgresSinkConfig config;
    private final Map<TopicPartition, TopicApplier> appliers = new HashMap<>();

    @Override
    public String version() {
        return PostgresSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new PostgresSinkConfig(props);
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (tp.partition() != 0) {
                throw new ConnectException("topic " + tp.topic() + " has a partition " + tp.partition() + ": a feed topic has exactly one partition,"
                        + " so that its events stay in changelog order");
            }
            String schema = config.schemas().schemaOf(tp.topic());
            try {
                long mark = HandOff.prepare(config.target(), schema, tp.topic());
                TopicApplier a = new TopicApplier(config.target(), schema, tp.topic(), config.poolSize(), config.maxRetryTime(),
                        config.deadLetter() ? (o, k, v, why) -> deadLetter(tp.topic(), o, k, v, why) : null);
                appliers.put(tp, a);
                long from = a.start(config.lockWait());
                context.offset(tp, from);
                LOG.info("sink task applies topic {} to schema {} after changelog seq {} (snapshot hand-off {}), reading from offset {}", tp.topic(), schema,
                        a.committedSeq(), mark, from);
            } catch (ReplicatorException e) {
                closeQuietly(appliers.remove(tp));
                throw new ConnectException("schema " + schema + " (topic " + tp.topic() + "): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(appliers.remove(tp));
                throw new ConnectException("interrupted while opening topic " + tp.topic(), e);
            }
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        Map<TopicPartition, List<TopicApplier.Record>> byPartition = new LinkedHashMap<>();
        for (SinkRecord r : records) {
            Object wrong = r.value() != null && !(r.value() instanceof byte[]) ? r.value() : r.key() != null && !(r.key() instanceof byte[]) ? r.key() : null;
            if (wrong != null) {
                throw new ConnectException("the sink reads the feed's records as bytes: set key.converter and value.converter to "
                        + PostgresSinkConfig.BYTE_ARRAY_CONVERTER + " on the connector (got a " + wrong.getClass().getName() + ")");
            }
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.kafkaPartition()), k -> new ArrayList<>())
                    .add(new TopicApplier.Record(r.kafkaOffset(), (byte[]) r.key(), (byte[]) r.value()));
        }
        for (Map.Entry<TopicPartition, List<TopicApplier.Record>> e : byPartition.entrySet()) {
            TopicApplier a = appliers.get(e.getKey());
            if (a == null) continue; // revoked since these were fetched
            OptionalLong seek;
            try {
                seek = a.put(e.getValue());
            } catch (ReplicatorException ex) {
                throw new ConnectException("schema " + a.schema() + " (topic " + e.getKey().topic() + "): " + ex.getMessage(), ex);
            }
            if (seek.isPresent()) context.offset(e.getKey(), seek.getAsLong());
        }
    }

    /** Only what PostgreSQL committed: a partition with no committed batch yet keeps Connect's last commit. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : currentOffsets.keySet()) {
            TopicApplier a = appliers.get(tp);
            if (a == null) continue;
            a.committedOffset().ifPresent(o -> out.put(tp, new OffsetAndMetadata(o)));
        }
        return out;
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) closeQuietly(appliers.remove(tp));
    }

    @Override
    public void stop() {
        for (TopicApplier a : appliers.values()) closeQuietly(a);
        appliers.clear();
    }

    /** Connect's dead-letter queue through its errant record reporter; returns once the record is there. */
    private void deadLetter(String topic, long offset, byte[] key, byte[] value, String reason) {
        ErrantRecordReporter reporter = context.errantRecordReporter();
        if (reporter == null) throw new ConnectException("on.error=dead-letter needs a worker with a dead-letter queue (Kafka Connect 2.6+)");
        try {
            reporter.report(new SinkRecord(topic, 0, null, key, null, value, offset), new ConnectException(reason)).get(DEAD_LETTER_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ConnectException("cannot write to the dead-letter queue: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while writing to the dead-letter queue", e);
        }
    }

    private static void closeQuietly(TopicApplier a) {
        if (a == null) return;
        try {
            a.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the sink of schema {}: {}", a.schema(), e.toString());
        }
    }
}

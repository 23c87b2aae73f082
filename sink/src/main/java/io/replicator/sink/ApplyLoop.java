package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.ReplicatorException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The sink's consumer loop: poll, decode, and hand over to {@link ApplyStream} (group, apply, commit). One {@link #pass}
 * reads the stored position, makes sure the topic is the one that position belongs to ({@link TopicIdentity}), seeks
 * after it, and then applies what it reads as {@link CommitRule} decides, until the sink stops, an error (thrown to {@link Sink}, which decides with
 * {@link ErrorClassifier}), or a replay request (the next pass starts from the position set back).
 *
 * <p>Invariants: the position is written only in the transaction of the rows it covers, at a consistent point.
 * Between transactions, and only then, the loop takes up a replay, a verification hold and the check of its schema
 * lock. Whatever is open when it stops or fails is rolled back ({@link #abort}): the next pass redoes it from the
 * stored position. A connection of a fleet's shared pool is handed back whenever nothing is open and nothing was read
 * ({@link TargetPool#releaseIdle}). Runs on the sink's own thread.
 */
final class ApplyLoop {
    /** A short poll, so a stop, a replay or a hold is noticed within a few tens of ms on an idle topic. */
    private static final Duration POLL = Duration.ofMillis(20);
    /** Records per poll: several of the feed's default batches (5,000 rows), fewer than a sink's chunk. */
    private static final int MAX_POLL_RECORDS = 5_000;
    /** How long the broker may wait to fill a fetch: well under {@link #POLL}, so lag stays low. */
    private static final int FETCH_MAX_WAIT_MS = 10;
    /**
     * A fleet's sinks (on a shared pool) poll and fetch less often: with the single store's settings every idle sink
     * fetched 100 times a second, and 50 idle stores kept most of two cores busy. The broker answers a waiting fetch
     * when records arrive, yet a single store at 1,000 tx/s showed a p99 of 270-340 ms in some runs with a wait of 100
     * or 500 ms (68-83 ms with 10), so a single store keeps the short wait; a fleet at 10 tx/s per store measured p99
     * 61 ms with these (docs/benchmarks.md#fleet).
     */
    private static final Duration FLEET_POLL = Duration.ofMillis(50);
    private static final int FLEET_FETCH_MAX_WAIT_MS = 500;

    private final SinkSettings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition tp;
    private final TargetPool pool;
    private final SchemaLock lock;
    private final ReplayControl replay;
    private final DeadLetters deadLetters;
    private final RetryBudget retries;
    private final SinkProgress progress;
    private final BooleanSupplier stopping;
    private final ApplyStream stream;
    private final EventDecoder decoder;

    ApplyLoop(SinkSettings settings, KafkaConsumer<byte[], byte[]> consumer, TargetPool pool, SchemaLock lock, ReplayControl replay,
              DeadLetters deadLetters, RetryBudget retries, SinkProgress progress, BooleanSupplier stopping) {
        this.settings = settings;
        this.consumer = consumer;
        this.tp = new TopicPartition(settings.topic(), 0); // the feed writes one partition: total order by changelog position
        this.pool = pool;
        this.lock = lock;
        this.replay = replay;
        this.deadLetters = deadLetters;
        this.retries = retries;
        this.progress = progress;
        this.stopping = stopping;
        this.stream = new ApplyStream(settings.schema(), settings.maxBatchEvents(), progress);
        this.decoder = new EventDecoder(settings.topic());
        consumer.assign(List.of(tp));
    }

    /** A consumer of the feed's topic: no consumer group (the position lives in PostgreSQL), committed events only. */
    static KafkaConsumer<byte[], byte[]> consumer(SinkSettings s) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(MAX_POLL_RECORDS),
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.toString(s.shared() != null ? FLEET_FETCH_MAX_WAIT_MS : FETCH_MAX_WAIT_MS), ConsumerConfig.CLIENT_ID_CONFIG, TargetPool.APPLICATION_NAME + "." + s.schema()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads from the stored position on and applies until stopped, an error, or a replay request. */
    void pass() throws SQLException {
        lock.keep();
        Connection conn = pool.current();
        SinkState state = SinkState.read(conn, settings.schema());
        conn.commit();
        if (state == null) throw ReplicatorException.config("no sink position for schema " + settings.schema() + ": take a snapshot first");
        progress.positionRead(state.seq(), state.sourceTsMs());
        if (!replay.requested()) { // a replay sets the position back by changelog seq: the stored offset is not used
            String topicId = TopicIdentity.topicId(settings.bootstrap(), settings.topic());
            TopicIdentity.check(consumer, tp, settings.schema(), state, topicId, decoder::source);
            if (state.topicId() == null) {
                SinkState.topicId(conn, settings.schema(), topicId);
                conn.commit();
            }
        }
        if (state.kafkaOffset() >= 0) consumer.seek(tp, state.kafkaOffset() + 1);
        else consumer.seekToBeginning(List.of(tp));
        stream.startAt(state.seq(), replay.limit());
        VerificationHold hold = new VerificationHold();
        while (!stopping.getAsBoolean()) {
            if (stream.idle() && replay.requested()) {
                replay.rewind(pool.current(), settings.schema(), settings.topic(), stream.accepted(), progress);
                return; // read the position again and seek to it
            }
            long now = System.currentTimeMillis();
            if (stream.idle() && hold.due(now)) {
                SharedTarget shared = settings.shared(); // a fleet reads every store's hold request in one query
                if (shared == null) hold.holdIfAsked(pool.current(), settings.schema(), progress.appliedSeq(), stopping);
                else hold.holdIfAsked(pool, shared, settings.schema(), progress.appliedSeq(), stopping);
                lock.keepIfDue(now);
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.shared() != null ? FLEET_POLL : POLL);
            if (records.isEmpty() && stream.idle()) {
                pool.releaseIdle(); // nothing open, nothing to apply: a shared pool's connection goes back
                continue;
            }
            List<SinkEvent> events = new ArrayList<>(records.count());
            for (ConsumerRecord<byte[], byte[]> r : records) if (!deadLetters.isSetAside(r.offset())) events.add(decoder.decode(r));
            stream.apply(pool.current(), events, c -> retries.succeeded(), replay::ended);
            // committed, nothing open: back to a shared pool before the next poll waits. Kept through the poll, 50 idle
            // stores at 10 tx/s each held 25 connections on average, and 40 of them waited for a pool of 10
            if (stream.idle()) pool.releaseIdle();
        }
        abort(); // stopping: work not at a consistent point is dropped; the next start redoes it from the position
    }

    /** Drops the open transaction, and what the catalog learned inside it. */
    void abort() {
        stream.abort();
        pool.rollbackQuietly();
    }
}

package io.replicator.stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The end of the feed's topic (the offset its next event will get), asked again and again on one consumer: for a
 * status line that shows how far a sink is behind a topic it does not produce. Reads no events and joins no group.
 */
public final class TopicEnd implements AutoCloseable {
    /** A status line must not hang on a Kafka that is away: the line then says the end is unknown. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition tp;

    public TopicEnd(String bootstrap, String topic) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.CLIENT_ID_CONFIG, "replicator-topic-end",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.tp = new TopicPartition(topic, 0); // the feed writes one partition
    }

    /** The end offset, or empty when Kafka does not answer in time (or the topic does not exist yet). */
    public OptionalLong offset() {
        try {
            Long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            return end == null ? OptionalLong.empty() : OptionalLong.of(end);
        } catch (KafkaException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}

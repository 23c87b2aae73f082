package io.replicator.feed;

import io.replicator.core.event.ChangeEventFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Reads a feed topic from the start, decoding every event the way a sink does (JSON with schemas → Struct). */
final class EventTail implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final JsonConverter converter = new JsonConverter();
    private final String topic;
    final List<Struct> events = new ArrayList<>();
    final List<Long> offsets = new ArrayList<>();

    EventTail(String bootstrap, String topic) {
        this.topic = topic;
        converter.configure(Map.of("schemas.enable", "true"), false);
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
    }

    /** Polls until {@code done} holds for the events read so far, or fails after {@code timeout}. */
    List<Struct> until(Predicate<List<Struct>> done, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.test(events)) {
            if (System.nanoTime() > end) throw new AssertionError("events did not arrive in " + timeout + "; got " + events.size() + ": " + tail());
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                SchemaAndValue v = converter.toConnectData(topic, r.value());
                events.add((Struct) v.value());
                offsets.add(r.offset());
            }
        }
        return events;
    }

    /** Until an event's batch reaches changelog position {@code seq}. */
    List<Struct> untilSeq(long seq, Duration timeout) {
        return until(ev -> !ev.isEmpty() && ChangeEventFormat.readSource(ev.get(ev.size() - 1)).batch() >= seq
                && ChangeEventFormat.readSource(ev.get(ev.size() - 1)).lastInBatch(), timeout);
    }

    private String tail() {
        List<Struct> t = events.subList(Math.max(0, events.size() - 3), events.size());
        return t.toString();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

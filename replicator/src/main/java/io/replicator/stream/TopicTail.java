package io.replicator.stream;

import io.replicator.core.event.ChangeEventFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Positions found by reading the feed's topic: the last consistent point, and the consistent point before a time. */
public final class TopicTail {
    private TopicTail() {}

    /** A consistent point: the changelog position of a batch end and the topic offset of its last event. */
    public record Point(long seq, long offset) {}

    /**
     * The changelog position of the oldest change the topic still holds, or -1 when it still holds its
     * beginning (nothing was deleted by retention) or is empty.
     */
    public static long oldestRetainedSeq(String bootstrap, String topic) {
        JsonConverter conv = new JsonConverter();
        conv.configure(Map.of("schemas.enable", "true"), false);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "max.poll.records", "1"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long begin = c.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            if (begin == 0 || begin >= end) return -1;
            c.seek(tp, begin);
            for (int i = 0; i < 60; i++) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    return ChangeEventFormat.readSource((Struct) conv.toConnectData(topic, r.value()).value()).seq();
                }
            }
            return -1;
        }
    }

    /** The last consistent point in the topic (-1 when none). */
    public static Point last(String bootstrap, String topic) {
        return scan(bootstrap, topic, Long.MAX_VALUE, true);
    }

    /** The last consistent point whose events were read from SQLite before {@code epochMs} (-1 when none). */
    public static Point before(String bootstrap, String topic, long epochMs) {
        return scan(bootstrap, topic, epochMs, false);
    }

    private static Point scan(String bootstrap, String topic, long beforeMs, boolean tailOnly) {
        JsonConverter conv = new JsonConverter();
        conv.configure(Map.of("schemas.enable", "true"), false);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "max.poll.records", "5000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long begin = c.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            long from = tailOnly ? Math.max(begin, end - 50_000) : begin;
            c.seek(tp, from);
            Point best = new Point(-1, -1);
            long pos = from;
            while (pos < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    pos = r.offset() + 1;
                    Struct v = (Struct) conv.toConnectData(topic, r.value()).value();
                    ChangeEventFormat.Source s = ChangeEventFormat.readSource(v);
                    if (s.tsMs() >= beforeMs) return best;
                    if (s.lastInBatch()) best = new Point(s.batch(), r.offset());
                }
            }
            return best;
        }
    }
}

package io.replicator.sink;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;

import java.util.List;
import java.util.Map;

/**
 * Turns a record of the feed's topic into a {@link SinkEvent}: Kafka Connect JSON ({@link EventJsonReader}) read as
 * the change-event format ({@link ChangeEventFormat}). Keeps the record's bytes for the dead-letter topic. Not
 * thread-safe (the reader caches schemas): one per sink thread.
 */
final class EventDecoder {
    private final String topic;
    private final EventJsonReader reader = new EventJsonReader();

    EventDecoder(String topic) {
        this.topic = topic;
    }

    SinkEvent decode(ConsumerRecord<byte[], byte[]> r) {
        return decode(r.offset(), r.key(), r.value());
    }

    /** A record given by its parts (a Kafka Connect sink record read with the ByteArrayConverter). */
    SinkEvent decode(long offset, byte[] keyBytes, byte[] value) {
        Struct v = (Struct) reader.read(topic, value);
        Map<String, SqliteValue> key = keyBytes == null ? Map.of() : ChangeEventFormat.decodeRow((Struct) reader.read(topic, keyBytes));
        Struct after = v.getStruct("after");
        Struct ddl = v.getStruct("ddl");
        List<String> statements = ddl == null || !ddl.getBoolean("exists") ? null : ddl.<String>getArray("statements");
        ChangeEventFormat.Source src = ChangeEventFormat.readSource(v);
        return new SinkEvent(offset, v.getString("op"), src.table(), key, after == null ? null : ChangeEventFormat.decodeRow(after), src,
                statements, value);
    }

    /** Where a record sits in the feed (its {@code source} block) without decoding its row. */
    ChangeEventFormat.Source source(ConsumerRecord<byte[], byte[]> r) {
        return source(r.value());
    }

    ChangeEventFormat.Source source(byte[] value) {
        return ChangeEventFormat.readSource((Struct) reader.read(topic, value));
    }
}

package io.replicator.feed;

import io.replicator.core.event.ChangeEventFormat;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch into Kafka Connect records for the one topic of the source database (partition 0, so the
 * stream is totally ordered by changelog position). Every record of a batch but the last carries the
 * position before the batch as its offset and the last one the position after it: an offset is only ever
 * committed for a whole batch, so a crash re-sends a batch, never skips part of one.
 * <p>{@code source.last_in_batch} is set on the last event of a <em>complete</em> batch only: applying the
 * events up to such an event (as one transaction) leaves a state SQLite had.
 */
final class EventEncoder {
    private final String name;
    private final String db;
    private final String topic;
    private final Map<String, ?> partition;

    EventEncoder(String name, String db, String topic, Map<String, ?> partition) {
        this.name = name;
        this.db = db;
        this.topic = topic;
        this.partition = partition;
    }

    static Map<String, Long> offset(long seq) {
        return Map.of("seq", seq);
    }

    List<SourceRecord> encode(Batch b) {
        List<Change> changes = b.changes().isEmpty() ? List.of(marker(b)) : b.changes();
        List<SourceRecord> out = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            boolean last = i == changes.size() - 1;
            out.add(record(changes.get(i), b, last, last && b.complete()));
        }
        return out;
    }

    private static Change marker(Batch b) {
        return new Change(null, ChangeEventFormat.OP_MARKER, b.upTo(), List.of(), List.of(), List.of(), null, null);
    }

    private SourceRecord record(Change ch, Batch b, boolean last, boolean consistent) {
        String recordName = name + "." + (ch.table() == null ? "_" : ch.table());
        Schema keySchema = null;
        Struct key = null;
        if (!ch.keyColumns().isEmpty()) {
            keySchema = ChangeEventFormat.rowSchema(recordName + ".Key", ch.keyColumns(), ch.key());
            key = ChangeEventFormat.row(keySchema, ch.key());
        }
        Schema rowSchema = ch.row() == null ? null : ChangeEventFormat.rowSchema(recordName + ".Value", ch.columns(), ch.row());
        boolean delete = ch.op().equals(ChangeEventFormat.OP_DELETE);
        Schema envelope = ChangeEventFormat.envelope(recordName, rowSchema, delete ? keySchema : null);
        Struct value = new Struct(envelope)
                .put("op", ch.op())
                .put("ts_ms", b.readAtMillis())
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source(name, db, ch.table(), ch.seq(), b.upTo(), consistent, b.readAtMillis())));
        if (rowSchema != null) value.put("after", ChangeEventFormat.row(rowSchema, ch.row()));
        if (delete) value.put("before", ChangeEventFormat.row(envelope.field("before").schema(), ch.key()));
        if (ch.op().equals(ChangeEventFormat.OP_SCHEMA)) value.put("ddl", ChangeEventFormat.ddl(ch.ddl() != null, ch.ddl() == null ? List.of() : ch.ddl()));
        return new SourceRecord(partition, offset(last ? b.upTo() : b.after()), topic, 0, keySchema, key, envelope, value, b.readAtMillis());
    }
}

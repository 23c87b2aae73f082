package io.replicator.sink;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;

import java.util.List;
import java.util.Map;

/**
 * One decoded change event with its Kafka offset.
 *
 * @param key   the key fields (SQLite names), for row events
 * @param after the row (SQLite names), for c/u
 * @param ddl   for a schema event: the table's CREATE statements, or null when the table is gone
 * @param raw   the event as read from Kafka (for the dead-letter topic)
 */
record SinkEvent(long offset, String op, String table, Map<String, SqliteValue> key, Map<String, SqliteValue> after,
                 ChangeEventFormat.Source source, List<String> ddl, byte[] raw) {

    boolean isRow() {
        return op.equals(ChangeEventFormat.OP_CREATE) || op.equals(ChangeEventFormat.OP_UPDATE) || op.equals(ChangeEventFormat.OP_DELETE);
    }

    boolean isDelete() {
        return op.equals(ChangeEventFormat.OP_DELETE);
    }

    boolean isSchema() {
        return op.equals(ChangeEventFormat.OP_SCHEMA);
    }
}

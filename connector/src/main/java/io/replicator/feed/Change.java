package io.replicator.feed;

import io.replicator.core.event.SqliteValue;

import java.util.List;

/**
 * One event of a batch, before it becomes a Kafka Connect record.
 *
 * @param op         c, u, d (a row) or s (schema of {@code table}); see {@link io.replicator.core.event.ChangeEventFormat}
 * @param seq        the changelog position of the last change folded into this event
 * @param keyColumns names of the key fields; {@code key} their values
 * @param columns    names of the row's fields; {@code row} their values, or null for a delete
 * @param ddl        for a schema event: the table's CREATE statements now, or null when the table is gone
 */
public record Change(String table, String op, long seq, List<String> keyColumns, List<SqliteValue> key,
                     List<String> columns, List<SqliteValue> row, List<String> ddl) {
}

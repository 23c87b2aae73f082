package io.replicator.sink;

import io.replicator.core.codec.ScaleRounding;

import io.replicator.core.types.PgType;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.replicator.core.Identifiers.pg;

/**
 * A PostgreSQL table the sink writes: its columns' types (from the catalog, so values are converted for
 * what the table really holds) and its key, with the upsert and delete statements per set of columns.
 */
final class TargetTable {
    final String schema;
    final String name;
    /** PostgreSQL column name → type, in table order. */
    final Map<String, PgType> columns;
    /** Key columns (primary key, or the rowid column), in key order. */
    final List<String> key;
    /** Columns whose REAL values are rounded to their numeric scale ({@code --round-to-scale}, stored with the snapshot). */
    final Set<String> roundedToScale;
    /** How they are rounded: as the application's framework shows them (stored with the snapshot). */
    final ScaleRounding.Style rounding;
    private final Map<List<String>, String> upserts = new ConcurrentHashMap<>();

    TargetTable(String schema, String name, Map<String, PgType> columns, List<String> key, Set<String> roundedToScale, ScaleRounding.Style rounding) {
        this.schema = schema;
        this.name = name;
        this.columns = columns;
        this.key = key;
        this.roundedToScale = roundedToScale;
        this.rounding = rounding;
    }

    String qualified() {
        return pg(schema, name);
    }

    String upsert(List<String> cols) {
        return upserts.computeIfAbsent(cols, cs -> {
            StringBuilder sb = new StringBuilder("INSERT INTO ").append(qualified()).append(" (");
            sb.append(String.join(", ", cs.stream().map(c -> pg(c)).toList())).append(") VALUES (");
            sb.append(String.join(", ", cs.stream().map(c -> "CAST(? AS " + columns.get(c).sql() + ")").toList())).append(") ON CONFLICT (");
            sb.append(String.join(", ", key.stream().map(c -> pg(c)).toList())).append(") DO ");
            List<String> set = cs.stream().filter(c -> !key.contains(c)).map(c -> pg(c) + " = EXCLUDED." + pg(c)).toList();
            sb.append(set.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", set));
            return sb.toString();
        });
    }

    String delete() {
        return "DELETE FROM " + qualified() + " WHERE (" + String.join(", ", key.stream().map(c -> pg(c)).toList()) + ") = ("
                + String.join(", ", key.stream().map(c -> "CAST(? AS " + columns.get(c).sql() + ")").toList()) + ")";
    }
}

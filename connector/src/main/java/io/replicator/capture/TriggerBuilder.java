package io.replicator.capture;

import io.replicator.core.model.SqliteIndex;
import io.replicator.core.model.SqliteTable;

import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.sqlLiteral;
import static io.replicator.core.Identifiers.sqlite;

/**
 * The capture triggers of one table, in core SQL only: they run inside the application's own SQLite
 * library, which may be old or built without JSON functions, so no function is called at all.
 * <ul>
 * <li>AFTER INSERT / UPDATE / DELETE log the row's key (an UPDATE that changes the key logs the old key too).</li>
 * <li>BEFORE INSERT / UPDATE log the keys of rows that hold the same values in a UNIQUE index: if the
 * statement is {@code INSERT OR REPLACE}, SQLite deletes those rows without firing DELETE triggers (unless the
 * application turned {@code recursive_triggers} on). Logged in advance, their absence is seen by the feed.</li>
 * </ul>
 */
final class TriggerBuilder {
    private TriggerBuilder() {}

    /** The row key: the primary key columns, or the rowid for tables without a usable one. */
    record Key(String kind, List<String> columns) {
        static final String ROWID = "rowid";
        static final String PRIMARY_KEY = "pk";
    }

    static String triggerName(String op, String table) {
        return CaptureSchema.PREFIX + op + "_" + table;
    }

    static List<String> create(SqliteTable t, Key key, String rowidName) {
        String tbl = sqlLiteral(t.name());
        String q = sqlite(t.name());
        List<String> k = key.kind().equals(Key.ROWID) ? List.of(rowidName) : key.columns();
        String cols = keyColumns(k.size());
        List<String> out = new ArrayList<>();
        out.add("CREATE TRIGGER " + sqlite(triggerName("ai", t.name())) + " AFTER INSERT ON " + q + " BEGIN INSERT INTO "
                + CaptureSchema.CHANGELOG + " (tbl, op, " + cols + ") VALUES (" + tbl + ", 'I', " + refs("NEW", k) + "); END");
        out.add("CREATE TRIGGER " + sqlite(triggerName("au", t.name())) + " AFTER UPDATE ON " + q + " BEGIN "
                + "INSERT INTO " + CaptureSchema.CHANGELOG + " (tbl, op, " + cols + ") SELECT " + tbl + ", 'D', " + refs("OLD", k)
                + " WHERE " + changed(k) + "; "
                + "INSERT INTO " + CaptureSchema.CHANGELOG + " (tbl, op, " + cols + ") VALUES (" + tbl + ", 'U', " + refs("NEW", k) + "); END");
        out.add("CREATE TRIGGER " + sqlite(triggerName("ad", t.name())) + " AFTER DELETE ON " + q + " BEGIN INSERT INTO "
                + CaptureSchema.CHANGELOG + " (tbl, op, " + cols + ") VALUES (" + tbl + ", 'D', " + refs("OLD", k) + "); END");
        List<List<String>> uniques = new ArrayList<>();
        for (SqliteIndex ix : t.indexes()) {
            if (ix.unique() && !ix.origin().equals("pk") && !ix.hasExpression()) {
                uniques.add(ix.columns().stream().map(SqliteIndex.IndexedColumn::name).toList());
            }
        }
        if (!uniques.isEmpty()) {
            StringBuilder bi = new StringBuilder("CREATE TRIGGER " + sqlite(triggerName("bi", t.name())) + " BEFORE INSERT ON " + q + " BEGIN ");
            StringBuilder bu = new StringBuilder("CREATE TRIGGER " + sqlite(triggerName("bu", t.name())) + " BEFORE UPDATE ON " + q + " BEGIN ");
            for (List<String> u : uniques) {
                String match = String.join(" AND ", u.stream().map(c -> sqlite(c) + " = NEW." + sqlite(c)).toList());
                String select = "INSERT INTO " + CaptureSchema.CHANGELOG + " (tbl, op, " + cols + ") SELECT " + tbl + ", 'R', "
                        + String.join(", ", k.stream().map(c -> sqlite(c)).toList()) + " FROM " + q + " WHERE " + match;
                bi.append(select).append("; ");
                bu.append(select).append(" AND NOT (").append(sameRow(k)).append("); ");
            }
            out.add(bi.append("END").toString());
            out.add(bu.append("END").toString());
        }
        return out;
    }

    static List<String> dropAll(String table) {
        List<String> out = new ArrayList<>();
        for (String op : List.of("ai", "au", "ad", "bi", "bu")) out.add("DROP TRIGGER IF EXISTS " + sqlite(triggerName(op, table)));
        return out;
    }

    private static String keyColumns(int n) {
        List<String> c = new ArrayList<>();
        for (int i = 1; i <= n; i++) c.add("k" + i);
        return String.join(", ", c);
    }

    private static String refs(String row, List<String> k) {
        return String.join(", ", k.stream().map(c -> row + "." + sqlite(c)).toList());
    }

    private static String changed(List<String> k) {
        return String.join(" OR ", k.stream().map(c -> "OLD." + sqlite(c) + " IS NOT NEW." + sqlite(c)).toList());
    }

    private static String sameRow(List<String> k) {
        return String.join(" AND ", k.stream().map(c -> sqlite(c) + " IS OLD." + sqlite(c)).toList());
    }
}

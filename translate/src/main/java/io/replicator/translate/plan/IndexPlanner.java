package io.replicator.translate.plan;

import io.replicator.core.model.SqliteIndex;
import io.replicator.core.model.SqliteTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;
import static io.replicator.translate.plan.RowIdentity.ROWID_COLUMN;

/**
 * A table's key constraint and indexes in PostgreSQL: the primary key (or a UNIQUE on
 * {@value RowIdentity#ROWID_COLUMN}, plus the unusable primary key as a UNIQUE), then every SQLite index that can be
 * translated. Uniqueness is kept exactly: a plain UNIQUE becomes a deferrable constraint, a partial one stays an
 * index. Expression indexes are not translated and say so.
 */
final class IndexPlanner {
    private IndexPlanner() {}

    /** The statements, in order; index names are allocated in {@code used} (the schema's relation names). */
    static List<IndexPlan> indexes(SqliteTable t, String pgTable, Map<String, String> colNames, boolean pkUsable,
                                   Set<String> used, String schema, List<Problem> problems) {
        List<IndexPlan> out = new ArrayList<>();
        String qt = pg(schema, pgTable);
        if (pkUsable) {
            out.add(new IndexPlan("PRIMARY KEY", null, "ALTER TABLE " + qt + " ADD PRIMARY KEY (" + joinCols(t.primaryKey(), colNames) + ")"));
        } else {
            out.add(new IndexPlan("rowid", null, "ALTER TABLE " + qt + " ADD UNIQUE (" + pg(ROWID_COLUMN) + ")"));
        }
        for (SqliteIndex ix : t.indexes()) {
            if (ix.origin().equals("pk")) {
                if (!pkUsable) out.add(new IndexPlan(ix.name(), null, "ALTER TABLE " + qt + " ADD UNIQUE (" + joinCols(t.primaryKey(), colNames) + ") DEFERRABLE INITIALLY IMMEDIATE"));
                continue;
            }
            if (ix.hasExpression()) {
                problems.add(new Problem(Problem.Level.WARNING, t.name(), null, "index " + ix.name() + " is on an expression; not translated, create it by hand"));
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (SqliteIndex.IndexedColumn ic : ix.columns()) {
                if (ic.collation() != null) {
                    problems.add(new Problem(Problem.Level.WARNING, t.name(), ic.name(), "index " + ix.name() + " uses COLLATE " + ic.collation() + "; built without it"));
                }
                String name = ic.name().equals("rowid") && !colNames.containsKey("rowid") ? ROWID_COLUMN : colNames.get(ic.name());
                parts.add(pg(name) + (ic.descending() ? " DESC" : ""));
            }
            String name = ix.origin().equals("u") && ix.name().startsWith("sqlite_autoindex_") ? pgTable + "_" + ix.name().substring("sqlite_autoindex_".length()) : ix.name();
            String pgName = PgNames.uniqueRelation(name, used);
            if (!pgName.equals(ix.name()) && !ix.name().startsWith("sqlite_autoindex_")) {
                problems.add(new Problem(Problem.Level.NOTE, t.name(), null, "index " + ix.name() + " is named " + pgName + " in PostgreSQL"));
            }
            // A plain UNIQUE becomes a DEFERRABLE INITIALLY IMMEDIATE constraint: the application sees the same check, and
            // the sink (SET CONSTRAINTS ALL DEFERRED) can apply a batch in which two rows swap a unique value. A partial
            // unique index has no constraint form and stays an index.
            String sql = ix.unique() && ix.where() == null
                    ? "ALTER TABLE " + qt + " ADD CONSTRAINT " + pg(pgName) + " UNIQUE (" + String.join(", ", parts.stream().map(x -> x.replace(" DESC", "")).toList())
                            + ") DEFERRABLE INITIALLY IMMEDIATE"
                    : "CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX " + pg(pgName) + " ON " + qt + " (" + String.join(", ", parts) + ")"
                            + (ix.where() == null ? "" : " WHERE " + ix.where());
            out.add(new IndexPlan(ix.name(), pgName, sql));
        }
        return out;
    }

    private static String joinCols(List<String> cols, Map<String, String> colNames) {
        return String.join(", ", cols.stream().map(k -> pg(colNames.getOrDefault(k, k))).toList());
    }
}

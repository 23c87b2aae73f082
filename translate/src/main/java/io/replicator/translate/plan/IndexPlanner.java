package io.replicator.translate.plan;

import io.replicator.translate.schema.RowIdentity;
import io.replicator.translate.framework.Framework;
import io.replicator.core.model.SqliteIndex;
import io.replicator.core.model.SqliteTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;
import static io.replicator.translate.schema.RowIdentity.ROWID_COLUMN;

/**
 * A table's key constraint and indexes in PostgreSQL: the primary key (or a UNIQUE on
 * {@value RowIdentity#ROWID_COLUMN}, plus the unusable primary key as a UNIQUE), then every SQLite index that can be
 * translated. Uniqueness is kept exactly and in the form the application's framework makes on PostgreSQL:
 * constraints NOT DEFERRABLE (PostgreSQL accepts only those as the arbiter of {@code INSERT ... ON CONFLICT}, which
 * every ORM's upsert uses), under their declared names, else under PostgreSQL's own default names
 * ({@code <table>_pkey}, {@code <table>_<columns>_key}). A UNIQUE declared in the table is a constraint; a
 * {@code CREATE UNIQUE INDEX} stays a unique index of that name (Django alone makes those constraints), a partial
 * one stays an index. Expression indexes are not translated and say so. The sink applies rows that swap a unique
 * value inside one batch without needing a deferred check (BatchApplier).
 */
final class IndexPlanner {
    private IndexPlanner() {}

    /** The statements, in order; index names are allocated in {@code used} (the schema's relation names). */
    static List<IndexPlan> indexes(SqliteTable t, String pgTable, Map<String, String> colNames, boolean pkUsable,
                                   Set<String> used, String schema, Framework framework, List<Problem> problems) {
        List<IndexPlan> out = new ArrayList<>();
        String qt = pg(schema, pgTable);
        if (pkUsable) {
            out.add(new IndexPlan("PRIMARY KEY", null, "ALTER TABLE " + qt + " ADD " + named(t.primaryKeyName()) + "PRIMARY KEY ("
                    + joinCols(t.primaryKey(), colNames) + ")"));
        } else {
            out.add(new IndexPlan("rowid", null, "ALTER TABLE " + qt + " ADD UNIQUE (" + pg(ROWID_COLUMN) + ")"));
        }
        for (SqliteIndex ix : t.indexes()) {
            if (ix.origin().equals("pk")) {
                if (!pkUsable) out.add(new IndexPlan(ix.name(), null, "ALTER TABLE " + qt + " ADD " + named(ix.constraintName()) + "UNIQUE ("
                        + joinCols(t.primaryKey(), colNames) + ")"));
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
            String plain = String.join(", ", parts.stream().map(x -> x.replace(" DESC", "")).toList());
            if (ix.origin().equals("u")) { // a UNIQUE of the table: a constraint, under its declared name or PostgreSQL's default
                out.add(new IndexPlan(ix.name(), ix.constraintName(), "ALTER TABLE " + qt + " ADD " + named(ix.constraintName()) + "UNIQUE (" + plain + ")"));
                continue;
            }
            String pgName = PgNames.uniqueRelation(ix.name(), used);
            if (!pgName.equals(ix.name())) {
                problems.add(new Problem(Problem.Level.NOTE, t.name(), null, "index " + ix.name() + " is named " + pgName + " in PostgreSQL"));
            }
            String sql = ix.unique() && ix.where() == null && framework == Framework.DJANGO
                    ? "ALTER TABLE " + qt + " ADD CONSTRAINT " + pg(pgName) + " UNIQUE (" + plain + ")"
                    : "CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX " + pg(pgName) + " ON " + qt + " (" + String.join(", ", parts) + ")"
                            + (ix.where() == null ? "" : " WHERE " + ix.where());
            out.add(new IndexPlan(ix.name(), pgName, sql));
        }
        return out;
    }

    /** {@code CONSTRAINT "name" } for a declared name; nothing (PostgreSQL's default name) for none. */
    private static String named(String constraintName) {
        return constraintName == null ? "" : "CONSTRAINT " + pg(constraintName) + " ";
    }

    private static String joinCols(List<String> cols, Map<String, String> colNames) {
        return String.join(", ", cols.stream().map(k -> pg(colNames.getOrDefault(k, k))).toList());
    }
}

package io.replicator.translate.plan;

import io.replicator.translate.framework.Framework;
import io.replicator.core.model.SqliteForeignKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.replicator.core.Identifiers.pg;

/**
 * Foreign keys, planned once every table has its PostgreSQL name and columns (a key may point to any table).
 * SQLite matches table and column names case-insensitively and does not check a key to a missing table or
 * column; such a key is a WARNING and is not created. A key keeps its declared name, actions and deferral (every
 * key of a Django application is DEFERRABLE INITIALLY DEFERRED, as Django makes it), so the application after the
 * cutover finds what its framework would have created; the sink does not depend on deferral (it runs as a replica).
 */
final class ForeignKeyPlanner {
    private ForeignKeyPlanner() {}

    /** The tables again, each with its foreign-key statements. */
    static List<TablePlan> withForeignKeys(List<TablePlan> tables, String schema, Framework framework, List<Problem> problems) {
        Map<String, TablePlan> byName = new HashMap<>();
        for (TablePlan tp : tables) byName.put(tp.source().name().toLowerCase(Locale.ROOT), tp);
        List<TablePlan> withFks = new ArrayList<>();
        for (TablePlan tp : tables) {
            withFks.add(new TablePlan(tp.source(), tp.pgName(), tp.columns(), tp.keyPgColumns(), tp.primaryKeyUsable(), tp.rowidPgColumn(),
                    tp.rowidSelect(), tp.rows(), tp.identityRestart(), tp.indexes(), tp.checks(), foreignKeys(tp, byName, schema, framework, problems)));
        }
        return withFks;
    }

    private static List<String> foreignKeys(TablePlan tp, Map<String, TablePlan> byName, String schema, Framework framework, List<Problem> problems) {
        List<String> out = new ArrayList<>();
        for (SqliteForeignKey fk : tp.source().foreignKeys()) {
            TablePlan parent = byName.get(fk.toTable().toLowerCase(Locale.ROOT));
            if (parent == null) {
                problems.add(new Problem(Problem.Level.WARNING, tp.source().name(), null, "foreign key to missing table " + fk.toTable() + " not created (SQLite does not check it either)"));
                continue;
            }
            List<String> to = fk.toColumns().isEmpty() ? parent.source().primaryKey() : fk.toColumns();
            if (to.isEmpty() || to.size() != fk.fromColumns().size()) {
                problems.add(new Problem(Problem.Level.WARNING, tp.source().name(), null, "foreign key to " + fk.toTable() + " names no key columns; not created"));
                continue;
            }
            Map<String, String> childCols = new HashMap<>();
            for (ColumnPlan cp : tp.columns()) childCols.put(cp.source().name().toLowerCase(Locale.ROOT), cp.pgName());
            Map<String, String> parentCols = new HashMap<>();
            for (ColumnPlan cp : parent.columns()) parentCols.put(cp.source().name().toLowerCase(Locale.ROOT), cp.pgName());
            List<String> from = new ArrayList<>();
            List<String> toPg = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < to.size(); i++) {
                String f = childCols.get(fk.fromColumns().get(i).toLowerCase(Locale.ROOT));
                String p = parentCols.get(to.get(i).toLowerCase(Locale.ROOT));
                if (f == null || p == null) ok = false;
                from.add(f == null ? "?" : pg(f));
                toPg.add(p == null ? "?" : pg(p));
            }
            if (!ok) {
                problems.add(new Problem(Problem.Level.WARNING, tp.source().name(), null, "foreign key to " + fk.toTable() + " names unknown columns; not created"));
                continue;
            }
            // As declared (name, actions, deferral), so the application finds after the cutover what its framework would
            // have made; the sink applies with foreign keys off (ApplySession), so their order does not matter to it.
            out.add("ALTER TABLE " + pg(schema, tp.pgName()) + " ADD " + (fk.name() == null ? "" : "CONSTRAINT " + pg(fk.name()) + " ")
                    + "FOREIGN KEY (" + String.join(", ", from) + ") REFERENCES " + pg(schema, parent.pgName()) + " (" + String.join(", ", toPg) + ")"
                    + action("UPDATE", fk.onUpdate()) + action("DELETE", fk.onDelete()) + deferral(fk, framework));
        }
        return out;
    }

    /** The declared deferral; every key of a Django application is DEFERRABLE INITIALLY DEFERRED, as Django makes it on PostgreSQL. */
    private static String deferral(SqliteForeignKey fk, Framework framework) {
        if (fk.initiallyDeferred() || framework.foreignKeysInitiallyDeferred()) return " DEFERRABLE INITIALLY DEFERRED";
        return fk.deferrable() ? " DEFERRABLE INITIALLY IMMEDIATE" : "";
    }

    private static String action(String on, String a) {
        if (a == null) return "";
        String u = a.toUpperCase(Locale.ROOT);
        return switch (u) {
            case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT" -> " ON " + on + " " + u;
            default -> "";
        };
    }
}

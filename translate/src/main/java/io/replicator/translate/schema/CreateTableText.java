package io.replicator.translate.schema;

import io.replicator.core.model.SqliteCheck;
import io.replicator.translate.schema.SqlTokens.Kind;
import io.replicator.translate.schema.SqlTokens.Token;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What only the CREATE TABLE text tells (the PRAGMAs do not): CHECK constraints, column collations, WITHOUT ROWID,
 * AUTOINCREMENT, and what applications' migrations address later: constraint names ({@code CONSTRAINT name ...})
 * and the deferral of foreign keys ({@code DEFERRABLE INITIALLY DEFERRED}, which Django writes).
 */
public final class CreateTableText {
    public final List<SqliteCheck> checks = new ArrayList<>();
    public final Map<String, String> collations = new HashMap<>();
    /** Declared UNIQUE constraints, by their column list (as written). */
    public final List<Unique> uniques = new ArrayList<>();
    /** Declared foreign keys, in the order written (their from-columns match {@code PRAGMA foreign_key_list}). */
    public final List<ForeignKey> foreignKeys = new ArrayList<>();
    public String primaryKeyName;
    public boolean withoutRowid;
    public boolean autoincrement;

    /** A UNIQUE constraint; {@code name} null when unnamed. */
    public record Unique(String name, List<String> columns) {}

    /** A foreign key clause; {@code name} null when unnamed. */
    public record ForeignKey(String name, List<String> fromColumns, boolean deferrable, boolean initiallyDeferred) {}

    /** Words that start a constraint of a column or a table. */
    private static final Set<String> CONSTRAINT_START = Set.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "REFERENCES",
            "NOT", "NULL", "DEFAULT", "COLLATE", "GENERATED", "AS");

    private CreateTableText() {}

    public static CreateTableText parse(String sql) {
        CreateTableText r = new CreateTableText();
        if (sql == null) return r;
        List<Token> tokens = SqlTokens.tokenize(sql);
        int open = -1;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).is("(")) { open = i; break; }
            if (tokens.get(i).is("AS")) return r; // CREATE TABLE ... AS SELECT: no constraints
        }
        if (open < 0) return r;
        int close = SqlTokens.matchParen(tokens, open);
        for (int i = close; i < tokens.size(); i++) {
            if (tokens.get(i).is("ROWID") && i > 0 && tokens.get(i - 1).is("WITHOUT")) r.withoutRowid = true;
        }
        for (List<Token> part : SqlTokens.splitTopLevel(tokens, open)) {
            if (part.isEmpty()) continue;
            Token first = part.get(0);
            boolean tableConstraint = first.kind() == Kind.WORD && switch (first.text().toUpperCase(Locale.ROOT)) {
                case "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN" -> true;
                default -> false;
            };
            r.part(sql, part, tableConstraint ? null : first.text());
        }
        return r;
    }

    /** One column definition ({@code column} its name) or table constraint ({@code column} null). */
    private void part(String sql, List<Token> part, String column) {
        String name = null;
        for (int i = column == null ? 0 : 1; i < part.size(); i++) {
            Token t = part.get(i);
            if (t.is("AUTOINCREMENT")) autoincrement = true;
            if (t.is("CONSTRAINT") && i + 1 < part.size()) {
                name = part.get(++i).text();
            } else if (t.is("CHECK") && i + 1 < part.size() && part.get(i + 1).is("(")) {
                int end = SqlTokens.matchParen(part, i + 1);
                checks.add(new SqliteCheck(name, sql.substring(part.get(i + 2).start(), part.get(end - 1).start()).trim(), column));
                name = null;
                i = end - 1;
            } else if (t.is("PRIMARY")) {
                primaryKeyName = name;
                name = null;
            } else if (t.is("UNIQUE")) {
                if (column != null) {
                    uniques.add(new Unique(name, List.of(column)));
                } else if (i + 1 < part.size() && part.get(i + 1).is("(")) {
                    int end = SqlTokens.matchParen(part, i + 1);
                    uniques.add(new Unique(name, columnList(part, i + 1, end)));
                    i = end - 1;
                }
                name = null;
            } else if (t.is("FOREIGN") && i + 2 < part.size() && part.get(i + 1).is("KEY") && part.get(i + 2).is("(")) {
                int end = SqlTokens.matchParen(part, i + 2);
                List<String> from = columnList(part, i + 2, end);
                i = references(part, end, name, from);
                name = null;
            } else if (t.is("REFERENCES") && column != null) {
                i = references(part, i, name, List.of(column));
                name = null;
            } else if (column != null && t.is("COLLATE") && i + 1 < part.size()) {
                collations.put(column, part.get(i + 1).text().toUpperCase(Locale.ROOT));
            }
        }
    }

    /**
     * From a REFERENCES token (or just before one): reads the referenced table, its columns and the clauses up to the
     * next constraint, records the key, and returns the index of its last token.
     */
    private int references(List<Token> part, int at, String name, List<String> from) {
        int i = at;
        while (i < part.size() && !part.get(i).is("REFERENCES")) i++;
        i += 2; // REFERENCES table
        if (i < part.size() && part.get(i).is("(")) i = SqlTokens.matchParen(part, i);
        boolean deferrable = false;
        boolean deferred = false;
        for (; i < part.size(); i++) {
            Token t = part.get(i);
            if (t.is("NOT") && i + 1 < part.size() && part.get(i + 1).is("DEFERRABLE")) {
                i++;
                deferrable = false;
            } else if (t.is("DEFERRABLE")) {
                deferrable = true;
            } else if (t.is("INITIALLY") && i + 1 < part.size()) {
                deferred = part.get(++i).is("DEFERRED");
            } else if (t.is("ON")) {
                i += 2; // ON DELETE|UPDATE action; SET NULL, SET DEFAULT and NO ACTION take one word more
                if (i < part.size() && (part.get(i).is("SET") || part.get(i).is("NO"))) i++;
            } else if (t.is("MATCH")) {
                i++;
            } else if (t.kind() == Kind.WORD && CONSTRAINT_START.contains(t.text().toUpperCase(Locale.ROOT))) {
                i--;
                break;
            }
        }
        foreignKeys.add(new ForeignKey(name, from, deferrable, deferrable && deferred));
        return Math.min(i, part.size() - 1);
    }

    /** The column names inside the parentheses {@code open..end} (COLLATE, ASC/DESC after a name are skipped). */
    private static List<String> columnList(List<Token> part, int open, int end) {
        List<String> cols = new ArrayList<>();
        for (List<Token> item : SqlTokens.splitTopLevel(part.subList(open, end), 0)) {
            if (!item.isEmpty()) cols.add(item.get(0).text());
        }
        return cols;
    }
}

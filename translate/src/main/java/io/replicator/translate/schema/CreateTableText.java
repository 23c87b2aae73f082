package io.replicator.translate.schema;

import io.replicator.translate.schema.SqlTokens.Token;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What only the CREATE TABLE text tells (the PRAGMAs do not): CHECK constraints, column collations,
 * WITHOUT ROWID and AUTOINCREMENT.
 */
public final class CreateTableText {
    public final List<String> checks = new ArrayList<>();
    public final Map<String, String> collations = new HashMap<>();
    public boolean withoutRowid;
    public boolean autoincrement;

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
            boolean tableConstraint = first.kind() == SqlTokens.Kind.WORD && switch (first.text().toUpperCase(Locale.ROOT)) {
                case "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN" -> true;
                default -> false;
            };
            for (int i = 0; i < part.size(); i++) {
                Token t = part.get(i);
                if (t.is("AUTOINCREMENT")) r.autoincrement = true;
                if (t.is("CHECK") && i + 1 < part.size() && part.get(i + 1).is("(")) {
                    int end = SqlTokens.matchParen(part, i + 1);
                    r.checks.add(sql.substring(part.get(i + 2).start(), part.get(end - 1).start()).trim());
                    i = end - 1;
                } else if (!tableConstraint && t.is("COLLATE") && i + 1 < part.size()) {
                    r.collations.put(first.text(), part.get(i + 1).text().toUpperCase(Locale.ROOT));
                }
            }
        }
        return r;
    }
}

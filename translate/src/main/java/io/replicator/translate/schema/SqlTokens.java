package io.replicator.translate.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * A minimal SQLite tokenizer: enough to split a CREATE TABLE into column definitions and constraints and to
 * read default expressions, without pretending to be a SQL parser. Quoted identifiers ("x", [x], `x`) come
 * back unquoted with {@link Kind#IDENT}.
 */
public final class SqlTokens {
    public enum Kind { WORD, IDENT, STRING, NUMBER, BLOB, PUNCT }

    public record Token(Kind kind, String text, int start, int end) {
        public boolean is(String word) {
            return (kind == Kind.WORD || kind == Kind.PUNCT) && text.equalsIgnoreCase(word);
        }
    }

    private SqlTokens() {}

    public static List<Token> tokenize(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int e = sql.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
                continue;
            }
            int start = i;
            if (c == '\'' || c == '"' || c == '`') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < n) {
                    char d = sql.charAt(i);
                    if (d == c) {
                        if (i + 1 < n && sql.charAt(i + 1) == c) { sb.append(c); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.append(d);
                    i++;
                }
                out.add(new Token(c == '\'' ? Kind.STRING : Kind.IDENT, sb.toString(), start, i));
            } else if (c == '[') {
                int e = sql.indexOf(']', i);
                e = e < 0 ? n : e;
                out.add(new Token(Kind.IDENT, sql.substring(i + 1, e), start, Math.min(e + 1, n)));
                i = e + 1;
            } else if ((c == 'x' || c == 'X') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                int e = sql.indexOf('\'', i + 2);
                e = e < 0 ? n : e;
                out.add(new Token(Kind.BLOB, sql.substring(i + 2, e), start, Math.min(e + 1, n)));
                i = e + 1;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.'
                        || ((sql.charAt(i) == '+' || sql.charAt(i) == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')))) i++;
                out.add(new Token(Kind.NUMBER, sql.substring(start, i), start, i));
            } else if (Character.isLetter(c) || c == '_' || c > 127) {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$' || sql.charAt(i) > 127)) i++;
                out.add(new Token(Kind.WORD, sql.substring(start, i), start, i));
            } else {
                String two = i + 1 < n ? sql.substring(i, i + 2) : "";
                if (two.equals("==") || two.equals("!=") || two.equals("<>") || two.equals("<=") || two.equals(">=") || two.equals("||")
                        || two.equals("<<") || two.equals(">>")) {
                    out.add(new Token(Kind.PUNCT, two, start, i + 2));
                    i += 2;
                } else {
                    out.add(new Token(Kind.PUNCT, String.valueOf(c), start, i + 1));
                    i++;
                }
            }
        }
        return out;
    }

    /** Splits the tokens between {@code from} (an opening parenthesis) and its match at depth-1 commas. */
    public static List<List<Token>> splitTopLevel(List<Token> tokens, int from) {
        List<List<Token>> parts = new ArrayList<>();
        List<Token> cur = new ArrayList<>();
        int depth = 0;
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is("(")) {
                depth++;
                if (depth == 1) continue;
            } else if (t.is(")")) {
                depth--;
                if (depth == 0) break;
            } else if (t.is(",") && depth == 1) {
                parts.add(cur);
                cur = new ArrayList<>();
                continue;
            }
            cur.add(t);
        }
        if (!cur.isEmpty()) parts.add(cur);
        return parts;
    }

    /** Index just past the parenthesised group that starts at {@code open}. */
    public static int matchParen(List<Token> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.get(i).is("(")) depth++;
            else if (tokens.get(i).is(")") && --depth == 0) return i + 1;
        }
        return tokens.size();
    }
}

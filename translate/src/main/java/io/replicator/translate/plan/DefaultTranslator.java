package io.replicator.translate.plan;

import java.math.BigDecimal;
import java.util.ArrayList;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.types.PgType;
import io.replicator.translate.schema.SqlTokens;
import io.replicator.translate.schema.SqlTokens.Token;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static io.replicator.core.Identifiers.sqlLiteral;

/**
 * Translates a SQLite column DEFAULT into a PostgreSQL expression for the column's target type, or says why
 * it cannot. Literals are converted with the same rules as data; the clock functions keep SQLite's meaning:
 * CURRENT_TIMESTAMP, datetime('now') and strftime(..., 'now') are UTC (unless 'localtime'), to the second
 * (or millisecond with %f), and produce text in text columns.
 */
public final class DefaultTranslator {
    private DefaultTranslator() {}

    /** Either {@code sql} (possibly null: no default) or {@code problem}. */
    public record Result(String sql, String problem) {}

    public static Result translate(String sqliteDefault, PgType t) {
        if (sqliteDefault == null) return new Result(null, null);
        List<Token> tokens = SqlTokens.tokenize(sqliteDefault);
        while (tokens.size() >= 2 && tokens.get(0).is("(") && tokens.get(tokens.size() - 1).is(")")) {
            tokens = tokens.subList(1, tokens.size() - 1);
        }
        String what = "default " + sqliteDefault;
        if (tokens.isEmpty()) return new Result(null, what + " not understood; PostgreSQL column gets no default");
        Token first = tokens.get(0);
        try {
            if (tokens.size() == 1 && first.is("NULL")) return new Result(null, null);
            if (tokens.size() == 1 && (first.is("TRUE") || first.is("FALSE"))) {
                return literal(ValueConverter.fromInteger(t, first.is("TRUE") ? 1 : 0), t);
            }
            boolean negative = first.is("-");
            if ((tokens.size() == 1 && first.kind() == SqlTokens.Kind.NUMBER)
                    || (tokens.size() == 2 && (negative || first.is("+")) && tokens.get(1).kind() == SqlTokens.Kind.NUMBER)) {
                String num = (negative ? "-" : "") + tokens.get(tokens.size() - 1).text();
                Object v;
                try {
                    v = ValueConverter.fromInteger(t, Long.parseLong(num));
                } catch (NumberFormatException e) {
                    v = ValueConverter.fromReal(t, Double.parseDouble(num));
                }
                return literal(v, t);
            }
            if (tokens.size() == 1 && (first.kind() == SqlTokens.Kind.STRING || first.kind() == SqlTokens.Kind.IDENT)) {
                return literal(ValueConverter.fromText(t, first.text().getBytes(StandardCharsets.UTF_8)), t);
            }
            if (tokens.size() == 1 && first.kind() == SqlTokens.Kind.BLOB) {
                if (t.kind() != PgType.Kind.BYTEA) return new Result(null, what + " is a BLOB, but the column is " + t.sql() + "; no default");
                return new Result("'\\x" + first.text() + "'::bytea", null);
            }
        } catch (ConversionException e) {
            return new Result(null, what + " " + e.getMessage() + "; PostgreSQL column gets no default");
        } catch (NumberFormatException e) {
            return new Result(null, what + " is not a number PostgreSQL reads; no default");
        }
        Result clock = clock(tokens, t);
        if (clock != null) return clock;
        return new Result(null, what + " is an expression this tool does not translate; PostgreSQL column gets no default (set one by hand if the application relies on it)");
    }

    private static Result literal(Object v, PgType t) {
        String sql = switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT, DOUBLE -> v.toString();
            case BOOLEAN -> v.toString();
            case NUMERIC -> v instanceof Double d ? (d > 0 ? "'Infinity'::numeric" : "'-Infinity'::numeric") : ((BigDecimal) v).toPlainString();
            case TEXT, VARCHAR, JSON, JSONB -> sqlLiteral(((ValueConverter.Text) v).string());
            case DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> sqlLiteral(v.toString()) + "::" + t.sql();
            case UUID -> sqlLiteral(v.toString()) + "::uuid";
            case INTERVAL -> sqlLiteral(Intervals.pgInput((Duration) v)) + "::interval";
            case BYTEA -> {
                StringBuilder sb = new StringBuilder("'\\x");
                for (byte b : (byte[]) v) sb.append(String.format("%02x", b & 0xff));
                yield sb.append("'::bytea").toString();
            }
        };
        if (t.kind() == PgType.Kind.DOUBLE && sql.contains("Infinity")) sql = "'" + sql + "'::double precision";
        return new Result(sql, null);
    }

    /** CURRENT_TIMESTAMP / CURRENT_DATE / CURRENT_TIME and date|time|datetime|strftime(..., 'now' [, 'localtime']). */
    private static Result clock(List<Token> tokens, PgType t) {
        String kind;
        String format;
        boolean local = false;
        Token f = tokens.get(0);
        if (tokens.size() == 1 && f.is("CURRENT_TIMESTAMP")) { kind = "datetime"; format = "%Y-%m-%d %H:%M:%S"; }
        else if (tokens.size() == 1 && f.is("CURRENT_DATE")) { kind = "date"; format = "%Y-%m-%d"; }
        else if (tokens.size() == 1 && f.is("CURRENT_TIME")) { kind = "time"; format = "%H:%M:%S"; }
        else if (f.kind() == SqlTokens.Kind.WORD && tokens.size() >= 4 && tokens.get(1).is("(")) {
            String fn = f.text().toLowerCase(Locale.ROOT);
            List<String> args = new ArrayList<>();
            for (int i = 2; i < tokens.size() - 1; i++) {
                Token a = tokens.get(i);
                if (a.is(",")) continue;
                if (a.kind() != SqlTokens.Kind.STRING) return null;
                args.add(a.text());
            }
            if (!tokens.get(tokens.size() - 1).is(")")) return null;
            int nowAt;
            switch (fn) {
                case "datetime" -> { format = "%Y-%m-%d %H:%M:%S"; nowAt = 0; }
                case "date" -> { format = "%Y-%m-%d"; nowAt = 0; }
                case "time" -> { format = "%H:%M:%S"; nowAt = 0; }
                case "strftime" -> {
                    if (args.isEmpty()) return null;
                    format = args.get(0);
                    nowAt = 1;
                }
                default -> { return null; }
            }
            if (args.size() <= nowAt || !args.get(nowAt).equalsIgnoreCase("now")) return null;
            for (int i = nowAt + 1; i < args.size(); i++) {
                if (args.get(i).equalsIgnoreCase("localtime")) local = true;
                else if (!args.get(i).equalsIgnoreCase("utc")) return null;
            }
            kind = fn;
        } else {
            return null;
        }
        String now = local ? "LOCALTIMESTAMP" : "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')";
        String note = local ? "'localtime' becomes the PostgreSQL session's time zone (LOCALTIMESTAMP)" : null;
        boolean millis = format.contains("%f");
        String truncated = "date_trunc('" + (millis ? "milliseconds" : "second") + "', " + now + ")";
        switch (t.kind()) {
            case TIMESTAMP -> { return new Result(truncated, note); }
            case TIMESTAMPTZ -> {
                return new Result("date_trunc('" + (millis ? "milliseconds" : "second") + "', CURRENT_TIMESTAMP)", note);
            }
            case DATE -> { return new Result("(" + now + ")::date", note); }
            case TIME -> { return new Result("(" + truncated + ")::time", note); }
            case TEXT, VARCHAR -> {
                String pg = toCharFormat(format);
                if (pg == null) return new Result(null, "default strftime format '" + format + "' has a field this tool does not translate; no default");
                return new Result("to_char(" + now + ", " + sqlLiteral(pg) + ")", note);
            }
            case BIGINT, INTEGER -> {
                if (format.equals("%s")) return new Result("extract(epoch from CURRENT_TIMESTAMP)::bigint", null);
                return new Result(null, "default " + kind + "('now') makes text, but the column is " + t.sql() + "; no default");
            }
            default -> { return new Result(null, "default " + kind + "('now') does not fit a " + t.sql() + " column; no default"); }
        }
    }

    /** strftime format → to_char pattern, or null for fields not translated. Literal text is double-quoted. */
    static String toCharFormat(String f) {
        StringBuilder sb = new StringBuilder();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%' || i + 1 >= f.length()) {
                lit.append(c);
                continue;
            }
            char k = f.charAt(++i);
            String p = switch (k) {
                case 'Y' -> "YYYY";
                case 'm' -> "MM";
                case 'd' -> "DD";
                case 'H' -> "HH24";
                case 'M' -> "MI";
                case 'S' -> "SS";
                case 'f' -> "SS.MS";
                case 'j' -> "DDD";
                case '%' -> null;
                default -> "?";
            };
            if ("?".equals(p)) return null;
            if (p == null) { lit.append('%'); continue; }
            if (lit.length() > 0) { sb.append(quoteLiteral(lit.toString())); lit.setLength(0); }
            sb.append(p);
        }
        if (lit.length() > 0) sb.append(quoteLiteral(lit.toString()));
        return sb.toString();
    }

    private static String quoteLiteral(String s) {
        // separators such as '-', ':', ' ', 'T' pass through to_char as-is only when they are not pattern letters
        return s.matches("[-: ./,]+") ? s : "\"" + s.replace("\"", "\\\"") + "\"";
    }
}

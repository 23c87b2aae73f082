package io.replicator.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text PostgreSQL prints for a jsonb value ({@code jsonb::text}), computed from the JSON text it was made
 * from, so a checksum taken inside PostgreSQL can be matched by one taken over SQLite's values.
 * <p>jsonb orders an object's keys by byte length and then bytewise,
 * prints <code>{"k": v, "k2": [1, 2]}</code>, keeps each number's decimal scale as written (an exponent moves it:
 * {@code 1.50e1} is {@code 15.0}, {@code 1e2} is {@code 100}), and escapes only {@code "}, {@code \}, and
 * control characters in strings ({@code \b \f \n \r \t}, else {@code \\u00XX}).
 */
public final class JsonbText {
    private JsonbText() {}

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /**
     * jsonb's text for the UTF-8 JSON {@code json}; throws when it is not one JSON value, or, as this tool never
     * puts such text in a jsonb column, when an object repeats a key or a string holds U+0000.
     */
    public static String render(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new IOException("empty JSON text");
            StringBuilder out = new StringBuilder(json.length + 16);
            value(p, first, out);
            if (p.nextToken() != null) throw new IOException("text after the JSON value");
            return out.toString();
        }
    }

    public static String render(String json) throws IOException {
        return render(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void value(JsonParser p, JsonToken t, StringBuilder out) throws IOException {
        switch (t) {
            case START_OBJECT -> object(p, out);
            case START_ARRAY -> {
                out.append('[');
                boolean first = true;
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    if (e == null) throw new IOException("unterminated array");
                    if (!first) out.append(", ");
                    first = false;
                    value(p, e, out);
                }
                out.append(']');
            }
            case VALUE_STRING -> string(p.getText(), out);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(p.getText(), out);
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new IOException("unexpected JSON token " + t);
        }
    }

    private record Member(byte[] utf8, String key, String value) {}

    private static void object(JsonParser p, StringBuilder out) throws IOException {
        List<Member> members = new ArrayList<>();
        for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
            if (k != JsonToken.FIELD_NAME) throw new IOException("unterminated object");
            String key = p.currentName();
            StringBuilder v = new StringBuilder();
            value(p, p.nextToken(), v);
            members.add(new Member(key.getBytes(StandardCharsets.UTF_8), key, v.toString()));
        }
        members.sort((a, b) -> a.utf8.length != b.utf8.length ? Integer.compare(a.utf8.length, b.utf8.length) : Arrays.compareUnsigned(a.utf8, b.utf8));
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            if (i > 0) {
                if (Arrays.equals(m.utf8, members.get(i - 1).utf8)) throw new IOException("duplicate key " + m.key);
                out.append(", ");
            }
            string(m.key, out);
            out.append(": ").append(m.value);
        }
        out.append('}');
    }

    /** numeric's text: the digits as written, scale = digits after the point minus the exponent, at least 0; no negative zero. */
    static void number(String literal, StringBuilder out) {
        if (literal.indexOf('e') < 0 && literal.indexOf('E') < 0) { // as written, but for a negative zero
            if (literal.charAt(0) == '-' && isZero(literal)) out.append(literal, 1, literal.length());
            else out.append(literal);
            return;
        }
        BigDecimal d = new BigDecimal(literal);
        if (d.scale() < 0) d = d.setScale(0);
        if (d.signum() == 0) d = d.abs();
        out.append(d.toPlainString());
    }

    private static boolean isZero(String literal) {
        for (int i = 1; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c != '0' && c != '.') return false;
        }
        return true;
    }

    static void string(String s, StringBuilder out) throws IOException {
        out.append('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= ' ' && c != '"' && c != '\\') continue;
            out.append(s, start, i);
            start = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == 0) throw new IOException("U+0000, which jsonb cannot hold");
                    out.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        out.append(s, start, s.length());
        out.append('"');
    }
}

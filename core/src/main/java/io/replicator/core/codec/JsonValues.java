package io.replicator.core.codec;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON text that can become jsonb without losing meaning. jsonb keeps one value per key, so text with a
 * duplicated key is refused (it stays text); jsonb cannot hold U+0000, so that is refused too. Whitespace and
 * key order are not meaning: {@link #canonical} compares values, not spelling.
 */
public final class JsonValues {
    private JsonValues() {}

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private static final ObjectMapper LENIENT_KEYS = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** Null when {@code text} is acceptable for jsonb, else the reason. */
    public static String jsonbProblem(String text) {
        return jsonbProblem(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Null when the UTF-8 {@code json} is acceptable for jsonb, else the reason. Streams tokens (no tree is
     * built): one value, no trailing tokens, no duplicate key in any object, no U+0000.
     */
    public static String jsonbProblem(byte[] json) {
        for (int i = 0; i + 5 < json.length; i++) {
            if (json[i] == '\\' && json[i + 1] == 'u' && json[i + 2] == '0' && json[i + 3] == '0' && json[i + 4] == '0' && json[i + 5] == '0') {
                // an escaped backslash before it ("\\u0000") is text, not U+0000; count the backslashes
                int k = i;
                while (k > 0 && json[k - 1] == '\\') k--;
                if ((i - k) % 2 == 0) return "contains U+0000, which jsonb cannot hold";
            }
        }
        try (JsonParser p = STRICT.getFactory().createParser(json)) {
            if (p.nextToken() == null) return "is empty, not JSON";
            p.skipChildren();
            if (p.nextToken() != null) return "has text after the JSON value";
            return null;
        } catch (IOException e) {
            String msg = e.getMessage();
            int nl = msg == null ? -1 : msg.indexOf('\n');
            return "is not JSON jsonb can hold exactly (" + (nl > 0 ? msg.substring(0, nl) : msg) + ")";
        }
    }

    /**
     * Null when the UTF-8 {@code json} is one JSON value PostgreSQL's json type accepts (it keeps the text as
     * written: duplicate keys and escaped U+0000 included), else the reason.
     */
    public static String jsonProblem(byte[] json) {
        try (JsonParser p = LENIENT_KEYS.getFactory().createParser(json)) {
            if (p.nextToken() == null) return "is empty, not JSON";
            p.skipChildren();
            if (p.nextToken() != null) return "has text after the JSON value";
            return null;
        } catch (IOException e) {
            String msg = e.getMessage();
            int nl = msg == null ? -1 : msg.indexOf('\n');
            return "is not JSON (" + (nl > 0 ? msg.substring(0, nl) : msg) + ")";
        }
    }

    /** A canonical spelling: object keys sorted, numbers in their shortest exact decimal, no whitespace. */
    public static String canonical(String text) {
        try {
            StringBuilder sb = new StringBuilder();
            write(STRICT.readTree(text), sb);
            return sb.toString();
        } catch (IOException e) {
            return "invalid-json:" + text;
        }
    }

    private static void write(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                sb.append(quote(e.getKey())).append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) sb.append(',');
                write(n.get(i), sb);
            }
            sb.append(']');
        } else if (n.isNumber()) {
            BigDecimal d = n.decimalValue().stripTrailingZeros();
            sb.append(d.signum() == 0 ? "0" : d.toString());
        } else if (n.isTextual()) {
            sb.append(quote(n.textValue()));
        } else {
            sb.append(n.toString());
        }
    }

    private static String quote(String s) {
        try {
            return STRICT.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

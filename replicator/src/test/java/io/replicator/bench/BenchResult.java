package io.replicator.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine-readable side of a bench: one line {@code result {"bench": ..., "figure": ..., ...}} per figure on
 * stdout, which bench/all.sh collects. The human lines stay as they were; a line starting with "result " is the
 * only thing the collector reads.
 */
final class BenchResult {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Object> values = new LinkedHashMap<>();

    private BenchResult(String bench, String figure) {
        values.put("bench", bench);
        values.put("figure", figure);
    }

    static BenchResult of(String bench, String figure) {
        return new BenchResult(bench, figure);
    }

    BenchResult put(String key, Object value) {
        if (value instanceof Double d) value = Math.round(d * 1000) / 1000.0; // a microsecond / a thousandth is plenty
        values.put(key, value);
        return this;
    }

    void emit() {
        try {
            System.out.println("result " + JSON.writeValueAsString(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the result of " + values.get("figure"), e);
        }
    }
}

package io.replicator.verify;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One side's per-chunk row count and XOR of 128-bit row digests (two 64-bit hashes). Keys are unique on each side, so equal counts
 * and equal XORs mean equal chunks (short of a 128-bit collision); row order does not matter.
 */
final class ChunkSums {
    private final Map<Long, long[]> chunks = new HashMap<>();
    private long lastChunk = Long.MAX_VALUE;
    private long[] last;
    long rows;

    void add(long chunk, long[] digest) {
        long[] s = chunk == lastChunk && last != null ? last : chunks.computeIfAbsent(chunk, c -> new long[3]);
        lastChunk = chunk;
        last = s;
        s[0]++;
        s[1] ^= digest[0];
        s[2] ^= digest[1];
        rows++;
    }

    void put(long chunk, long count, long x1, long x2) {
        chunks.put(chunk, new long[] {count, x1, x2});
        rows += count;
    }

    /** Adds another side's sums of disjoint rows. */
    void merge(ChunkSums o) {
        for (Map.Entry<Long, long[]> e : o.chunks.entrySet()) {
            long[] s = chunks.computeIfAbsent(e.getKey(), c -> new long[3]);
            s[0] += e.getValue()[0];
            s[1] ^= e.getValue()[1];
            s[2] ^= e.getValue()[2];
        }
        rows += o.rows;
        last = null;
    }

    int size() {
        return chunks.size();
    }

    /** Chunks whose count or digest differs, or that only one side has, in order. */
    TreeSet<Long> differing(ChunkSums other) {
        TreeSet<Long> out = new TreeSet<>();
        for (Map.Entry<Long, long[]> e : chunks.entrySet()) {
            long[] o = other.chunks.get(e.getKey());
            long[] s = e.getValue();
            if (o == null || o[0] != s[0] || o[1] != s[1] || o[2] != s[2]) out.add(e.getKey());
        }
        for (Long c : other.chunks.keySet()) if (!chunks.containsKey(c)) out.add(c);
        return out;
    }

    long count(long chunk) {
        long[] s = chunks.get(chunk);
        return s == null ? 0 : s[0];
    }

    /** XOR of every chunk: a checksum of the whole side. */
    String checksum() {
        long a = 0, b = 0;
        for (long[] s : chunks.values()) {
            a ^= s[1];
            b ^= s[2];
        }
        return String.format("%016x%016x", a, b);
    }
}

package io.replicator.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns PostgreSQL names to a set of SQLite names that share one namespace (the columns of a table, the
 * tables of a schema, the indexes of a schema). Names within 63 bytes are kept. Longer names are cut to 63
 * bytes; when cut names collide with each other or with a kept name, every colliding long name instead gets
 * a deterministic form: its first 54 bytes, '_', and 8 hex digits of the SHA-256 of the full name. The same
 * input set always yields the same names, so re-runs and the change feed agree.
 */
public final class NameAllocator {
    private NameAllocator() {}

    public record Renamed(String original, String assigned, String reason) {}

    public static Map<String, String> allocate(List<String> names, List<Renamed> renames) {
        Map<String, String> result = new LinkedHashMap<>();
        Map<String, List<String>> byFolded = new HashMap<>();
        for (String n : names) {
            String cut = Identifiers.truncateUtf8(n, Identifiers.PG_MAX_BYTES);
            byFolded.computeIfAbsent(cut, k -> new ArrayList<>()).add(n);
        }
        for (String n : names) {
            String cut = Identifiers.truncateUtf8(n, Identifiers.PG_MAX_BYTES);
            if (cut.equals(n)) {
                result.put(n, n);
            } else if (byFolded.get(cut).size() == 1) {
                result.put(n, cut);
                renames.add(new Renamed(n, cut, "longer than 63 bytes; cut"));
            } else {
                String hashed = Identifiers.truncateUtf8(n, Identifiers.PG_MAX_BYTES - 9) + "_" + shortHash(n);
                result.put(n, hashed);
                renames.add(new Renamed(n, hashed, "longer than 63 bytes and collides with " + (byFolded.get(cut).size() - 1)
                        + " other name(s) once cut; given a hash suffix"));
            }
        }
        return result;
    }

    static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 4; i++) sb.append(String.format("%02x", d[i] & 0xff));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

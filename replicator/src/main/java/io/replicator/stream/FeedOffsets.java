package io.replicator.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads the feed's committed position from the offsets file of the state directory (Kafka Connect's file
 * offset store: a serialized map of JSON key → JSON offset), without starting anything. Used by {@code status}.
 */
public final class FeedOffsets {
    private FeedOffsets() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The committed changelog position of the stream of this capture id, if the file holds one. */
    public static OptionalLong committed(Path file, String captureId) {
        Long seq = captureId == null ? null : committedByCapture(file).get(captureId);
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    /**
     * The committed changelog position of every stream in the file, by capture id; empty when there is no file or it
     * cannot be read. Lets {@code status} read the file before the changelog without knowing the capture id yet.
     */
    public static Map<String, Long> committedByCapture(Path file) {
        Map<String, Long> out = new HashMap<>();
        if (!Files.isRegularFile(file)) return out;
        try (InputStream in = Files.newInputStream(file); ObjectInputStream ois = new ObjectInputStream(in)) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("java.util.HashMap;java.util.Map$Entry;[Ljava.util.Map$Entry;[B;!*"));
            Object o = ois.readObject();
            if (!(o instanceof Map<?, ?> raw)) return out;
            for (Map.Entry<?, ?> e : raw.entrySet()) {
                if (!(e.getKey() instanceof byte[] k) || !(e.getValue() instanceof byte[] v)) continue;
                JsonNode key = JSON.readTree(k);
                JsonNode partition = key.isArray() && key.size() == 2 ? key.get(1) : null;
                if (partition == null || !partition.hasNonNull("capture")) continue;
                long seq = JSON.readTree(v).path("seq").asLong(-1);
                if (seq >= 0) out.merge(partition.get("capture").asText(), seq, Math::max);
            }
            return out;
        } catch (IOException | ClassNotFoundException e) {
            return new HashMap<>();
        }
    }
}

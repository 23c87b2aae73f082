package io.replicator.feed;

import org.apache.kafka.connect.storage.OffsetStorageReader;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The feed's Kafka Connect source partition, {@code {"database": "shop", "capture": "3f2c…"}}, always written
 * in that key order.
 *
 * <p>Why the order matters: Connect stores an offset under the serialized bytes of the partition map and finds it
 * again only by the same bytes. A map whose iteration order changes between JVM starts ({@code Map.of}) made
 * about half of all starts miss the committed position and publish again from the snapshot mark, or stop with a
 * gap once pruning had run. The fixed order is also the one Connect itself writes when it re-serializes a
 * partition it read back (its JSON converter deserializes into a {@code HashMap}, which iterates
 * {@code database} before {@code capture}), so {@code GET /connectors/NAME/offsets} finds it too
 * ({@code SourcePartitionTest} pins both).
 *
 * <p>Positions stored by earlier versions in the other order are still found: {@link #committedSeq} reads both
 * spellings and takes the higher position (each was committed only after Kafka acknowledged its events).
 */
public record SourcePartition(String database, String capture) {
    public static final String DATABASE = "database";
    public static final String CAPTURE = "capture";
    public static final String SEQ = "seq";

    public SourcePartition {
        if (database == null || capture == null) throw new IllegalArgumentException("database and capture are required");
    }

    /** The map every record carries and every new offset is stored under. */
    public Map<String, String> map() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(DATABASE, database);
        m.put(CAPTURE, capture);
        return Collections.unmodifiableMap(m);
    }

    /** The other key order, written by versions that built the partition with {@code Map.of}. */
    Map<String, String> legacyMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CAPTURE, capture);
        m.put(DATABASE, database);
        return Collections.unmodifiableMap(m);
    }

    /**
     * The highest position Connect committed for this partition under either spelling, or 0. Each spelling is
     * looked up on its own: the two maps are equal as Java maps, so one {@code offsets(List)} call would keep
     * only one of the answers.
     */
    public long committedSeq(OffsetStorageReader reader) {
        if (reader == null) return 0;
        long best = 0;
        for (Map<String, String> p : List.of(map(), legacyMap())) {
            Map<String, Object> o = reader.offset(p);
            if (o != null && o.get(SEQ) instanceof Number n) best = Math.max(best, n.longValue());
        }
        return best;
    }
}

package io.replicator.feed;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Connect finds a stored offset by the exact bytes of its key, {@code [connector, partition]}, as its JSON
 * converter writes them. Regression test for the feed missing its position on about half of all starts
 * ({@code Map.of} iterates in an order that changes from one JVM start to the next).
 */
class SourcePartitionTest {
    private static JsonConverter keyConverter() {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), true);
        return c;
    }

    private static String keyBytes(JsonConverter c, Object partition) {
        return new String(c.fromConnectData("offsets", null, Arrays.asList("replicator-feed-shop", partition)), StandardCharsets.UTF_8);
    }

    @Test
    void thePartitionIsAlwaysWrittenInOneKeyOrder() {
        JsonConverter c = keyConverter();
        SourcePartition p = new SourcePartition("shop", "3f2c");
        assertEquals("[\"replicator-feed-shop\",{\"database\":\"shop\",\"capture\":\"3f2c\"}]", keyBytes(c, p.map()));
        assertEquals(keyBytes(c, p.map()), keyBytes(c, new SourcePartition("shop", "3f2c").map()));
    }

    /** GET /connectors/NAME/offsets reads the key back into a map and serializes it again: the bytes must not change. */
    @Test
    void connectWritesTheSameBytesWhenItSerializesAPartitionItReadBack() {
        JsonConverter c = keyConverter();
        String written = keyBytes(c, new SourcePartition("shop", "3f2c").map());
        Object readBack = c.toConnectData("offsets", written.getBytes(StandardCharsets.UTF_8)).value();
        assertEquals(written, new String(c.fromConnectData("offsets", null, readBack), StandardCharsets.UTF_8));
        Object partition = ((List<?>) readBack).get(1);
        assertEquals(written, keyBytes(c, partition));
    }

    @Test
    void theLegacyOrderIsADifferentKey() {
        JsonConverter c = keyConverter();
        SourcePartition p = new SourcePartition("shop", "3f2c");
        assertNotEquals(keyBytes(c, p.map()), keyBytes(c, p.legacyMap()));
        assertEquals(p.map(), p.legacyMap(), "equal as maps: each spelling must be looked up on its own");
    }
}

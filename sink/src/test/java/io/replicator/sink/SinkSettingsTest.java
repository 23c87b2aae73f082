package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinkSettingsTest {
    private static final PostgresUrl PG = PostgresUrl.parse("postgresql://app:s3cret@127.0.0.1:5432/db");

    @Test
    void defaults() {
        SinkSettings s = SinkSettings.of("127.0.0.1:9092", "replicator.shop", "shop", PG);
        assertEquals(SinkSettings.OnPoison.STOP, s.onPoison());
        assertFalse(s.deadLetter());
        assertEquals(SinkSettings.DEFAULT_MAX_BATCH_EVENTS, s.maxBatchEvents());
        assertEquals(SinkSettings.DEFAULT_POOL_SIZE, s.poolSize());
        assertEquals(SinkSettings.DEFAULT_MAX_RETRY_TIME, s.maxRetryTime());
        assertEquals("replicator.shop.dlq", s.deadLetterTopic());
        assertFalse(s.toString().contains("s3cret"), s.toString());
    }

    @Test
    void namedSetters() {
        SinkSettings s = SinkSettings.builder("k:9092", "t", "s", PG).onPoison(SinkSettings.OnPoison.DEAD_LETTER).poolSize(10)
                .maxBatchEvents(1000).maxRetryTime(Duration.ofSeconds(2)).build();
        assertTrue(s.deadLetter());
        assertEquals(10, s.poolSize());
        assertEquals(1000, s.maxBatchEvents());
        assertEquals(Duration.ofSeconds(2), s.maxRetryTime());
    }

    @Test
    void valuesOutOfRangeAreRefusedNamingTheFlag() {
        assertRefused("--pool-size must be 1..100, got 0", () -> SinkSettings.builder("k", "t", "s", PG).poolSize(0).build());
        assertRefused("--pool-size must be 1..100, got 101", () -> SinkSettings.builder("k", "t", "s", PG).poolSize(101).build());
        assertRefused("--max-retry-time must be more than 0", () -> SinkSettings.builder("k", "t", "s", PG).maxRetryTime(Duration.ZERO).build());
        assertRefused("batch limit must be 1 or more", () -> SinkSettings.builder("k", "t", "s", PG).maxBatchEvents(0).build());
        assertRefused("the topic", () -> SinkSettings.of("k", " ", "s", PG));
        assertRefused("PostgreSQL target", () -> SinkSettings.of("k", "t", "s", null));
    }

    @Test
    void onErrorIsAnEnumAndAnUnknownValueIsAnError() {
        assertEquals(SinkSettings.OnPoison.STOP, SinkSettings.OnPoison.parse("stop"));
        assertEquals(SinkSettings.OnPoison.DEAD_LETTER, SinkSettings.OnPoison.parse("dead-letter"));
        assertEquals("dead-letter", SinkSettings.OnPoison.DEAD_LETTER.flag());
        assertRefused("--on-error must be stop or dead-letter, got skip", () -> SinkSettings.OnPoison.parse("skip"));
    }

    private static void assertRefused(String words, Runnable r) {
        ReplicatorException e = assertThrows(ReplicatorException.class, r::run);
        assertEquals(ExitCode.BAD_CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }
}

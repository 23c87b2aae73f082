package io.replicator.feed;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.capture.CaptureInstaller;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.AtomicFileOffsetStore;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.TestKafka;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A position stored in the feed's state file is found whatever key order wrote it: the fixed order of this
 * version, and the other order earlier versions wrote on about half of their starts. No new snapshot for
 * existing installs.
 */
class FeedPositionIT {
    @TempDir
    Path dir;

    @Test
    void aPositionStoredInTheCurrentKeyOrderIsResumed() throws Exception {
        resumesFrom(false);
    }

    @Test
    void aPositionStoredInTheLegacyKeyOrderIsResumed() throws Exception {
        resumesFrom(true);
    }

    private void resumesFrom(boolean legacy) throws Exception {
        Path db = SqliteFiles.create(dir, legacy ? "legacy.db" : "current.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        long start = new CaptureInstaller(SqliteSource.of(db.toString())).install().changelogSeq();
        FeedIT.app(db, "INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES (2, 'b'); INSERT INTO t VALUES (3, 'c'); INSERT INTO t VALUES (4, 'd');");
        long stored = start + 2; // as if the feed had published the first two inserts before it stopped
        FeedSettings settings = FeedSettings.defaults(db, start, dir.resolve(legacy ? "state-legacy" : "state-current"));
        SourcePartition p = new SourcePartition(settings.databaseName(), captureId(db));
        storeOffset(settings, legacy ? p.legacyMap() : p.map(), stored);

        try (ChangeFeed feed = ChangeFeed.start(settings, TestKafka.bootstrap());
             EventTail tail = new EventTail(TestKafka.bootstrap(), settings.topic())) {
            List<Struct> events = tail.untilSeq(start + 4, Duration.ofSeconds(30));
            assertEquals(2, events.size(), "only the two changes after the stored position are published: " + events);
            assertEquals(stored + 1, ChangeEventFormat.readSource(events.get(0)).seq());
        }
        // the feed's own commit is under the fixed key order
        String file = java.nio.file.Files.readString(settings.offsetsFile(), StandardCharsets.ISO_8859_1);
        assertTrue(file.contains("{\"database\":\"" + settings.databaseName() + "\",\"capture\":\""), "the feed stores its position in the fixed order");
    }

    private static String captureId(Path db) throws Exception {
        try (Connection c = SqliteSource.of(db.toString()).openReadOnly()) {
            return CaptureInstaller.captureId(c);
        }
    }

    /** Writes the offset file as Kafka Connect's file store does, under the engine's name. */
    private static void storeOffset(FeedSettings s, Map<String, String> partition, long seq) throws Exception {
        java.nio.file.Files.createDirectories(s.stateDir());
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), true);
        byte[] key = json.fromConnectData("x", null, List.of("replicator-feed-" + s.databaseName(), partition));
        byte[] value = json.fromConnectData("x", null, Map.of(SourcePartition.SEQ, seq));
        AtomicFileOffsetStore store = new AtomicFileOffsetStore();
        store.configure(new StandaloneConfig(Map.of("key.converter", JsonConverter.class.getName(), "value.converter", JsonConverter.class.getName(),
                "offset.storage.file.filename", s.offsetsFile().toString(), "bootstrap.servers", "127.0.0.1:9")));
        store.start();
        store.set(Map.of(ByteBuffer.wrap(key), ByteBuffer.wrap(value)), null).get();
        store.stop();
        assertTrue(new String(key, StandardCharsets.UTF_8).contains(partition.keySet().iterator().next()));
    }
}

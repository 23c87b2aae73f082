package io.replicator.testing;

import io.replicator.stream.EmbeddedKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real Kafka broker for all tests of a JVM (the embedded KRaft broker `stream` and `run` use), started
 * on first use and stopped when the JVM exits. Each test uses its own topic (named after its SQLite file).
 */
public final class TestKafka {
    private TestKafka() {}

    private static EmbeddedKafka broker;

    public static synchronized String bootstrap() {
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory("test-kafka");
                broker = EmbeddedKafka.start(dir.resolve("kafka"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-kafka-stop"));
        }
        return broker.bootstrapServers();
    }
}

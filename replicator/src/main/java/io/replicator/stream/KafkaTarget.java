package io.replicator.stream;

import io.replicator.core.ReplicatorException;

import java.nio.file.Path;

/**
 * Where events go: an external cluster ({@code --kafka} or {@code KAFKA_BOOTSTRAP_SERVERS}), or a single-node
 * broker embedded in this process with its data under the state directory, started here and stopped on close.
 */
public final class KafkaTarget implements AutoCloseable {
    private final String bootstrap;
    private final EmbeddedKafka embedded;

    private KafkaTarget(String bootstrap, EmbeddedKafka embedded) {
        this.bootstrap = bootstrap;
        this.embedded = embedded;
    }

    /** {@code flag} wins over the environment; with neither, an embedded broker under {@code stateDir/kafka}. */
    public static KafkaTarget open(String flag, Path stateDir) {
        String external = external(flag);
        if (external != null) return new KafkaTarget(external, null);
        EmbeddedKafka k = EmbeddedKafka.start(stateDir.resolve("kafka"));
        return new KafkaTarget(k.bootstrapServers(), k);
    }

    /**
     * The external cluster's bootstrap servers ({@code flag} wins over {@code KAFKA_BOOTSTRAP_SERVERS}), checked to be
     * host:port[,host:port...]; null when neither names one.
     */
    public static String external(String flag) {
        String external = flag != null && !flag.isBlank() ? flag : System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external == null || external.isBlank()) return null;
        if (!external.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
            throw ReplicatorException.config("--kafka / KAFKA_BOOTSTRAP_SERVERS: '" + external + "' is not host:port[,host:port...]");
        }
        return external;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public boolean embedded() {
        return embedded != null;
    }

    public String describe() {
        return embedded != null ? "embedded broker at " + bootstrap + " (data in " + embedded.logDir() + ")" : "Kafka at " + bootstrap;
    }

    @Override
    public void close() {
        if (embedded != null) embedded.close();
    }
}

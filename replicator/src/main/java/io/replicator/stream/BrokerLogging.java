package io.replicator.stream;

import java.util.List;

/**
 * Lowers the embedded broker's logging: its side of Kafka to WARN, the controller to ERROR, through
 * {@code org.slf4j.simpleLogger.log.*} system properties, unless they are already set (an operator's or a
 * test's choice wins). slf4j-simple reads these properties when a logger is first created, so this only
 * affects loggers not yet created and must run before the broker (and before other Kafka clients).
 */
final class BrokerLogging {
    /**
     * Logger name prefixes of the broker side of Kafka, lowered to WARN. The last three are shared with clients:
     * the "... values:" dumps of every config (hundreds of lines per broker start), the version banner and the
     * "Metrics scheduler closed" lines.
     */
    private static final List<String> BROKER_LOGGERS = List.of(
            "kafka", "state.change.logger", "org.apache.kafka.server", "org.apache.kafka.raft",
            "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.security", "org.apache.kafka.network",
            "org.apache.kafka.common.config.AbstractConfig", "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.metrics.Metrics");
    /** The controller warns on every start ("Performing controller activation"); only its errors are shown. */
    private static final String CONTROLLER_LOGGER = "org.apache.kafka.controller";

    private BrokerLogging() {}

    static void quiet() {
        BROKER_LOGGERS.forEach(logger -> setLevelUnlessSet(logger, "warn"));
        setLevelUnlessSet(CONTROLLER_LOGGER, "error");
    }

    private static void setLevelUnlessSet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }
}

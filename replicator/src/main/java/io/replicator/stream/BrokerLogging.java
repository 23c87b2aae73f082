package io.replicator.stream;

import io.replicator.log.LogFile;

import java.util.List;

/**
 * Lowers the embedded broker's logging: its side of Kafka to WARN, the controller to ERROR, unless an operator's
 * logback configuration set those loggers or the log file takes debug lines (--log-level debug). The console shows
 * no library line below ERROR anyway; this keeps the log file readable (a broker start dumps hundreds of
 * configuration lines). Must run before the broker starts.
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
    /** The controller warns on every start ("Performing controller activation"); only its errors are kept. */
    private static final String CONTROLLER_LOGGER = "org.apache.kafka.controller";

    private BrokerLogging() {}

    static void quiet() {
        LogFile.lower(BROKER_LOGGERS, "warn");
        LogFile.lower(List.of(CONTROLLER_LOGGER), "error");
    }
}

package io.replicator.sink.connect;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicator's PostgreSQL sink as a Kafka Connect sink connector: applies the feed topics of one or more stores
 * (each a SQLite file snapshotted into its own schema) to PostgreSQL with the same sink as {@code run}: each batch
 * and its position in one PostgreSQL transaction, after the snapshot's hand-off ({@link PostgresSinkTask}).
 *
 * <p>One store's topic (one partition, in changelog order) is read by one task at a time: Connect's consumer group
 * assigns each partition to one task. Stores spread over up to {@code tasks.max} tasks by the group's assignor
 * ({@link #taskConfigs}).
 */
public final class PostgresSinkConnector extends SinkConnector {
    public static final String VERSION = "0.1.0";

    private Map<String, String> props;
    private PostgresSinkConfig config;

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        this.config = new PostgresSinkConfig(props); // validates, throws ConfigException naming the field
        this.props = Map.copyOf(props);
    }

    /**
     * {@code min(maxTasks, topics)} tasks with the same configuration: Connect subscribes every task to all of the
     * connector's topics and its consumer group gives each topic's single partition to one task at a time. How the
     * topics spread over the tasks is the group's assignor: the default (range) gives every single-partition topic to
     * the same task, so set {@code consumer.override.partition.assignment.strategy} to the round-robin assignor.
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        int n = Math.max(1, Math.min(maxTasks, config.schemas().topics().size()));
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new HashMap<>(props));
        return out;
    }

    @Override
    public void stop() {
        // nothing held: the tasks own their connections
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PostgresSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return PostgresSinkConfig.DEF;
    }

    /** Field by field, as ConfigDef does; then the checks across fields, reported on the field they name. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config c = super.validate(connectorConfigs);
        boolean fieldErrors = c.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
        if (fieldErrors) return c;
        try {
            new PostgresSinkConfig(connectorConfigs);
        } catch (ConfigException e) {
            String message = e.getMessage() == null ? "invalid" : e.getMessage();
            c.configValues().stream().filter(v -> message.contains(v.name()))
                    .max(java.util.Comparator.comparingInt(v -> v.name().length())) // "topic.schema.map" over "schema"
                    .or(() -> c.configValues().stream().filter(v -> v.name().equals(PostgresSinkConfig.TOPIC_SCHEMA_MAP)).findFirst())
                    .ifPresent(v -> v.addErrorMessage(message));
        }
        return c;
    }
}

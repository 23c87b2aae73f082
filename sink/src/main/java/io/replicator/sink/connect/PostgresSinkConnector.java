package io.replicator.sink.connect;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkTask;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicator's PostgreSQL sink as a Kafka Connect sink connector: applies the feed topics of one or more stores
 * (each a SQLite file snapshotted into its own schema) to PostgreSQL with the same sink as {@code run}: each batch
 * and its position in one PostgreSQL transaction, after the snapshot's hand-off ({@link PostgresSinkTask}).
 *
 * <p>Tasks are dealt whole topics: each task's {@code topics} is its own share, so one store's topic (one partition,
 * in changelog order) is read by one task at a time, and stores spread over up to {@code tasks.max} tasks.
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

    /** Topics dealt round-robin in sorted order: task i reads topics i, i+n, i+2n... of n = min(maxTasks, topics). */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<String> topics = config.schemas().topics();
        int n = Math.max(1, Math.min(maxTasks, topics.size()));
        List<List<String>> shares = new ArrayList<>();
        for (int i = 0; i < n; i++) shares.add(new ArrayList<>());
        for (int i = 0; i < topics.size(); i++) shares.get(i % n).add(topics.get(i));
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> share : shares) {
            Map<String, String> task = new HashMap<>(props);
            task.put(SinkTask.TOPICS_CONFIG, String.join(",", share));
            out.add(task);
        }
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
            c.configValues().stream().filter(v -> message.contains(v.name())).findFirst()
                    .or(() -> c.configValues().stream().filter(v -> v.name().equals(PostgresSinkConfig.TOPIC_SCHEMA_MAP)).findFirst())
                    .ifPresent(v -> v.addErrorMessage(message));
        }
        return c;
    }
}

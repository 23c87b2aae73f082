package io.replicator.feed;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka Connect source connector for a SQLite database with change capture installed. Runs in-process under
 * Debezium Embedded ({@code bin/replicator stream}) or unchanged on a Kafka Connect cluster (see
 * deploy/connect-plugin). One task: a SQLite database has one writer and one ordered changelog.
 */
public final class SqliteSourceConnector extends SourceConnector {
    public static final String VERSION = "0.1.0";

    private Map<String, String> props;

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        new FeedConfig(props); // validates, throws ConfigException naming the field
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return SqliteSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
        props = null;
    }

    @Override
    public ConfigDef config() {
        return FeedConfig.DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config c = super.validate(connectorConfigs);
        try {
            new FeedConfig(connectorConfigs);
        } catch (ConfigException e) {
            c.configValues().stream().filter(v -> v.errorMessages().isEmpty() && e.getMessage() != null && e.getMessage().contains(v.name()))
                    .forEach(v -> v.addErrorMessage(e.getMessage()));
        }
        return c;
    }

    /** Offsets are only ever committed for whole batches, and re-sent batches are idempotent for the sink. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.UNSUPPORTED;
    }
}

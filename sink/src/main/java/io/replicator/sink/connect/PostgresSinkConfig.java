package io.replicator.sink.connect;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.sink.SinkSettings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.sink.SinkTask;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The sink connector's configuration: typed, validated fields, as Kafka Connect expects. The password is a field of
 * its own of type PASSWORD (Connect masks it in its REST answers and logs); a password inside {@code postgres.url},
 * which Connect shows as typed, is refused. Which schema each topic goes to is {@link TopicSchemas}.
 */
public final class PostgresSinkConfig extends AbstractConfig {
    public static final String POSTGRES_URL = "postgres.url";
    public static final String POSTGRES_PASSWORD = "postgres.password";
    public static final String SCHEMA = "schema";
    public static final String TOPIC_SCHEMA_MAP = "topic.schema.map";
    public static final String ON_ERROR = "on.error";
    public static final String POOL_SIZE = "pool.size";
    public static final String MAX_RETRY_TIME_MS = "max.retry.time.ms";
    public static final String LOCK_WAIT_MS = "lock.wait.ms";
    /** Connect's own setting (SinkConnectorConfig): where the errant record reporter writes. */
    static final String DLQ_TOPIC = "errors.deadletterqueue.topic.name";

    /** The converter the task reads records with: the feed's bytes as written, decoded by the sink itself. */
    public static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    public static final ConfigDef DEF = new ConfigDef()
            .define(POSTGRES_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "PostgreSQL: postgresql://user@host:port/db?sslmode=... or jdbc:postgresql://host:port/db?user=...; no password here"
                            + " (see " + POSTGRES_PASSWORD + ").")
            .define(POSTGRES_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
                    "The PostgreSQL password (masked by Connect); may be an externalized secret such as ${file:/secrets/pg.properties:password}.")
            .define(SCHEMA, Type.STRING, "", Importance.HIGH,
                    "The target schema when the connector reads one topic; it must hold a finished snapshot of the feed's SQLite file.")
            .define(TOPIC_SCHEMA_MAP, Type.LIST, "", Importance.HIGH,
                    "For several topics (stores): topic=schema pairs, comma-separated, one per topic in 'topics', each schema once.")
            .define(ON_ERROR, Type.STRING, "stop", ConfigDef.ValidString.in("stop", "dead-letter"), Importance.MEDIUM,
                    "A change PostgreSQL cannot take as is: stop (the task fails at its stored position) or dead-letter (to Connect's"
                            + " dead-letter queue: needs errors.tolerance=all and errors.deadletterqueue.topic.name).")
            .define(POOL_SIZE, Type.INT, SinkSettings.DEFAULT_POOL_SIZE, ConfigDef.Range.between(1, SinkSettings.MAX_POOL_SIZE), Importance.LOW,
                    "PostgreSQL connections per topic (the sink applies on one at a time; a second one replaces a lost connection at once).")
            .define(MAX_RETRY_TIME_MS, Type.LONG, SinkSettings.DEFAULT_MAX_RETRY_TIME.toMillis(), ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long one kind of transient PostgreSQL error is retried before the task fails.")
            .define(LOCK_WAIT_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a task that takes over a topic waits for the sink that had its schema (a task being revoked elsewhere) to let it go.");

    private final TopicSchemas schemas;

    public PostgresSinkConfig(Map<?, ?> props) {
        super(DEF, props);
        try {
            PostgresUrl url = PostgresUrl.parse(getString(POSTGRES_URL));
            if (url.hasPassword()) {
                throw new ConfigException(POSTGRES_URL, url.redacted(), "holds a password, which Connect would show as typed: put it in " + POSTGRES_PASSWORD);
            }
        } catch (ReplicatorException e) {
            throw new ConfigException(POSTGRES_URL + ": " + e.getMessage());
        }
        this.schemas = TopicSchemas.of(topics(props), getString(SCHEMA), getList(TOPIC_SCHEMA_MAP));
        Object dlq = props.get(DLQ_TOPIC);
        if (deadLetter() && (dlq == null || dlq.toString().isBlank())) {
            throw new ConfigException(ON_ERROR, "dead-letter", "needs errors.deadletterqueue.topic.name (and errors.tolerance=all)");
        }
    }

    /** The connector's {@code topics}; {@code topics.regex} is refused, as every topic needs its schema. */
    private static List<String> topics(Map<?, ?> props) {
        Object regex = props.get(SinkTask.TOPICS_REGEX_CONFIG);
        if (regex != null && !regex.toString().isBlank()) {
            throw new ConfigException(SinkTask.TOPICS_REGEX_CONFIG, regex, "name the topics in 'topics': each needs its schema");
        }
        Object topics = props.get(SinkTask.TOPICS_CONFIG);
        return topics == null ? List.of() : ConfigDef.parseType(SinkTask.TOPICS_CONFIG, topics, Type.LIST) instanceof List<?> l
                ? l.stream().map(Object::toString).map(String::trim).filter(t -> !t.isEmpty()).toList() : List.of();
    }

    /** The target, with the password from its own field; never logged (its toString is redacted). */
    public PostgresUrl target() {
        PostgresUrl url = PostgresUrl.parse(getString(POSTGRES_URL));
        Password p = getPassword(POSTGRES_PASSWORD);
        return p == null ? url : url.withPassword(p.value());
    }

    public TopicSchemas schemas() {
        return schemas;
    }

    public boolean deadLetter() {
        return "dead-letter".equals(getString(ON_ERROR));
    }

    public int poolSize() {
        return getInt(POOL_SIZE);
    }

    public Duration maxRetryTime() {
        return Duration.ofMillis(getLong(MAX_RETRY_TIME_MS));
    }

    public Duration lockWait() {
        return Duration.ofMillis(getLong(LOCK_WAIT_MS));
    }
}

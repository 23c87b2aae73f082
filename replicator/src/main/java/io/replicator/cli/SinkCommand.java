package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.run.SinkOnly;
import io.replicator.run.StopSignal;
import io.replicator.sink.SinkSettings;
import io.replicator.stream.KafkaTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code replicator sink}: applies a topic a feed elsewhere produces to PostgreSQL ({@link SinkOnly}), without the
 * SQLite file; this class parses its flags and delegates.
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
        description = "Apply a change topic produced elsewhere (the source connector on Kafka Connect, or `stream`) to PostgreSQL, after the"
                + " snapshot's hand-off, until stopped. Needs no SQLite file.")
final class SinkCommand implements Callable<Integer> {
    @Option(names = "--kafka", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (required here); default: $KAFKA_BOOTSTRAP_SERVERS.")
    String kafka;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "The feed's topic: <topic.prefix>.<database.name> of the source connector, or of `stream` (e.g. replicator.app).")
    String topic;

    @Option(names = "--postgres", paramLabel = "URL",
            description = "postgresql://user:pass@host:port/db?sslmode=... or jdbc:postgresql://...; default: $DATABASE_URL.")
    String postgres;

    @Option(names = "--schema", defaultValue = "public", paramLabel = "NAME",
            description = "The target schema, holding a finished snapshot of the feed's SQLite file (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--on-error", defaultValue = "stop", paramLabel = "stop|dead-letter",
            description = "A change PostgreSQL cannot take as is: stop (default; fix and restart) or set it aside in the topic <topic>.dlq and go on.")
    String onError;

    @Option(names = "--pool-size", defaultValue = "" + SinkSettings.DEFAULT_POOL_SIZE, description = "PostgreSQL connections in the sink's pool (default: ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--max-retry-time", defaultValue = "10m", converter = Durations.class, paramLabel = "DURATION",
            description = "How long one kind of transient PostgreSQL or Kafka error is retried before the sink stops with exit 4 (default: ${DEFAULT-VALUE}).")
    Duration maxRetryTime;

    @Option(names = "--status-interval", defaultValue = "5s", converter = Durations.class, paramLabel = "DURATION",
            description = "How often a status line is printed (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    @Option(names = "--orphan-check-interval", defaultValue = "60s", converter = Durations.class, paramLabel = "DURATION", hidden = true,
            description = "How often rows that break foreign keys are counted while applying (default: ${DEFAULT-VALUE}).")
    Duration orphanCheckInterval;

    @Override
    public Integer call() throws InterruptedException {
        String bootstrap = KafkaTarget.external(kafka);
        if (bootstrap == null) {
            throw ReplicatorException.config("sink needs --kafka (or $KAFKA_BOOTSTRAP_SERVERS): the Kafka cluster the feed publishes " + topic + " to");
        }
        PostgresUrl target = PostgresUrl.parse(postgres != null ? postgres : System.getenv("DATABASE_URL"));
        SinkSettings settings = SinkSettings.builder(bootstrap, topic, schema, target).onPoison(SinkSettings.OnPoison.parse(onError))
                .poolSize(poolSize).maxRetryTime(maxRetryTime).build();
        try (StopSignal stop = new StopSignal("sink")) {
            new SinkOnly(settings, statusInterval, orphanCheckInterval).run(stop);
        }
        return ExitCode.OK.code;
    }
}

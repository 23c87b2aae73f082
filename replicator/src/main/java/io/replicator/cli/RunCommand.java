package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.fleet.Fleet;
import io.replicator.fleet.Store;
import io.replicator.log.LogFile;
import io.replicator.run.ControlPlaneSettings;
import io.replicator.run.Replication;
import io.replicator.run.RunSettings;
import io.replicator.sink.SinkSettings;
import io.replicator.run.StopSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code replicator run}: the main job ({@link Replication}); this class parses its flags and delegates.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Keep PostgreSQL in step with a live SQLite database: install capture, snapshot, then stream and apply every change until stopped.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Mixin
    FeedOptions feed;

    @Mixin
    TranslationOptions translation;

    @Option(names = "--workers", defaultValue = "2", description = "Tables copied in parallel by the snapshot (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--rollback-journal", defaultValue = "refuse", paramLabel = "refuse|switch-to-wal|lock",
            description = "For a database not in WAL mode (see snapshot --help). Default: ${DEFAULT-VALUE}.")
    String rollbackJournal;

    @Option(names = "--on-error", defaultValue = "stop", paramLabel = "stop|dead-letter",
            description = "A change PostgreSQL cannot take as is (e.g. a value its column type cannot hold): stop (default; fix and restart)"
                    + " or set it aside in the topic <topic>.dlq with the reason and go on.")
    String onError;

    @Option(names = "--pool-size", defaultValue = "10", description = "PostgreSQL connections in the sink's pool (default: ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--http-host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address of the HTTP control plane (default: ${DEFAULT-VALUE}, this machine only; another address is an explicit choice).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8484", paramLabel = "PORT",
            description = "Port of the HTTP control plane: /health, /status, /metrics, POST /cutover (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int httpPort;

    @Option(names = "--http-token", defaultValue = "${env:REPLICATOR_HTTP_TOKEN}", paramLabel = "TOKEN",
            description = "Bearer token for state-changing requests; default $REPLICATOR_HTTP_TOKEN, else generated into <state-dir>/http-token.")
    String httpToken;

    @Option(names = "--no-http", description = "Do not start the HTTP control plane.")
    boolean noHttp;

    @Option(names = "--status-interval", defaultValue = "5s", converter = Durations.class, paramLabel = "DURATION",
            description = "How often a status line is printed (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    @Option(names = "--max-retry-time", defaultValue = "10m", converter = Durations.class, paramLabel = "DURATION",
            description = "How long the sink retries one kind of transient PostgreSQL or Kafka error (connection lost, server restarting,"
                    + " deadlock) before it stops with exit 4 (default: ${DEFAULT-VALUE}); /health shows the error and its age meanwhile.")
    Duration maxRetryTime;

    @Option(names = "--orphan-check-interval", defaultValue = "60s", converter = Durations.class, paramLabel = "DURATION", hidden = true,
            description = "How often rows that break foreign keys are counted while replicating (default: ${DEFAULT-VALUE}).")
    Duration orphanCheckInterval;

    @Override
    public Integer call() throws InterruptedException {
        LogFile.level(feed.logLevel); // a wrong level is refused before anything starts
        if (opts.wholeFleet()) return runFleet();
        SqliteSource source = opts.source();
        RunSettings settings = new RunSettings(source, opts.target(), opts.schema, translation.planOptions(opts.schema), feed.settings(source, 0),
                feed.kafka, workers, JournalPolicy.parse(rollbackJournal), SinkSettings.OnPoison.parse(onError), poolSize, maxRetryTime, orphanCheckInterval,
                statusInterval, new ControlPlaneSettings(!noHttp, httpHost, httpPort, httpToken), translation.replaceExistingRows);
        try (LogFile log = feed.openLog(); StopSignal stop = new StopSignal("run")) {
            new Replication(settings).run(stop);
        }
        return ExitCode.OK.code;
    }

    /**
     * {@code run --stores FILE}: every store with the flags given here; each its own file, schema, topic and state
     * under {@code <state-dir>/stores/<name>}. One HTTP control plane serves the fleet (the {@code --http-*} flags; the
     * token file in {@code <state-dir>}); the stores' own are off.
     */
    private int runFleet() throws InterruptedException {
        Function<Store, RunSettings> settingsFor = store -> {
            SqliteSource source = SqliteSource.of(store.sqlite().toString()).withBusyTimeout(opts.sqliteBusyTimeout);
            return new RunSettings(source, opts.target(), store.schema(), translation.planOptions(store.schema()), feed.settings(source, store.name()),
                    feed.kafka, workers, JournalPolicy.parse(rollbackJournal), SinkSettings.OnPoison.parse(onError), poolSize, maxRetryTime,
                    orphanCheckInterval, statusInterval, new ControlPlaneSettings(false, httpHost, httpPort, httpToken), translation.replaceExistingRows);
        };
        ControlPlaneSettings http = new ControlPlaneSettings(!noHttp, httpHost, httpPort, httpToken);
        try (LogFile log = feed.openLog(); StopSignal stop = new StopSignal("run")) {
            return new Fleet(opts.stores, feed.kafka, feed.stateDir.toAbsolutePath().normalize(), settingsFor, http).run(stop);
        }
    }
}

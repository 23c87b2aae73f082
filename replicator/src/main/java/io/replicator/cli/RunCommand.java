package io.replicator.cli;

import io.replicator.capture.CaptureInstaller;
import io.replicator.capture.CaptureStatus;
import io.replicator.control.ControlPlane;
import io.replicator.control.Replicator;
import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.sink.OrphanWatch;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.sink.SinkState;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.SnapshotState;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.stream.FeedTopic;
import io.replicator.stream.KafkaTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code replicator run}: the main job. Installs capture, takes the snapshot (or starts an interrupted one
 * over), then streams SQLite's changes through Kafka and applies them to PostgreSQL until Ctrl-C / SIGTERM.
 * Every step resumes from stored state, so restarting after any stop or crash is resuming.
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
        SinkSettings.OnPoison onPoison = SinkSettings.OnPoison.parse(onError);
        SqliteSource source = opts.source();
        PostgresUrl target = opts.target();
        if ("done".equals(cutoverState(target))) {
            System.err.println("schema " + opts.schema + " was cut over (see replicator.cutover): there is nothing left to replicate");
            return ExitCode.OK.code;
        }
        try (StopSignal stop = new StopSignal("run");
             KafkaStart kafkaStart = KafkaStart.begin(feed.kafka, feed.stateDir.toAbsolutePath().normalize())) {
            // the broker comes up (about 1-2 s: class loading, log recovery) while capture and the snapshot state are checked
            CaptureInstaller.Installed cap = new CaptureInstaller(source).install();
            System.err.println("capture installed on " + cap.tables().size() + " table(s); changelog at seq " + cap.changelogSeq());
            boolean fresh = snapshotIfNeeded(source, target);
            long handOff = StreamCommand.handOff(source, target, opts.schema);
            FeedSettings settings = feed.settings(source.path(), handOff);
            KafkaTarget kafka = kafkaStart.await();
            FeedTopic.ensure(kafka.bootstrapServers(), settings.topic());
            preparePosition(target, settings.topic(), handOff, fresh ? FeedTopic.endOffset(kafka.bootstrapServers(), settings.topic()) - 1 : -1);
            try (ChangeFeed f = ChangeFeed.start(settings, kafka.bootstrapServers());
                 Sink sink = Sink.start(SinkSettings.builder(kafka.bootstrapServers(), settings.topic(), opts.schema, target)
                         .onPoison(onPoison).poolSize(poolSize).maxRetryTime(maxRetryTime).build());
                 OrphanWatch orphans = OrphanWatch.start(target, opts.schema, orphanCheckInterval);
                 BackgroundStart<ControlPlane> http = BackgroundStart.of("control-plane", noHttp ? null
                         : () -> ControlPlane.start(new Replicator(source, target, opts.schema, settings.stateDir(), kafka.bootstrapServers(), f, sink),
                                 httpHost, httpPort, httpToken, settings.stateDir()))) {
                System.err.println("replicating " + source.path() + " -> " + target.redacted() + " schema " + opts.schema + " through topic "
                        + settings.topic() + " on " + kafka.describe() + "; Ctrl-C stops");
                long nextStatus = System.nanoTime() + statusInterval.toNanos();
                while (!stop.await(Duration.ofMillis(100)) && !f.await(Duration.ZERO) && !sink.await(Duration.ZERO)) {
                    http.ifStarted(cp -> System.err.println("control plane: " + cp.url() + " (/health, /status, /metrics; POST /cutover with the token)"));
                    if (System.nanoTime() < nextStatus) continue;
                    nextStatus = System.nanoTime() + statusInterval.toNanos();
                    if (cutoverDone(target)) {
                        System.err.println("the cutover is recorded as done: SQLite is fenced and PostgreSQL has every change; stopping");
                        break;
                    }
                    printStatus(source, f, sink, handOff);
                }
                ReplicatorException failure = f.failure() != null ? f.failure() : sink.failure();
                if (failure != null) throw failure;
            }
        }
        return ExitCode.OK.code;
    }

    private static void printStatus(SqliteSource source, ChangeFeed f, Sink sink, long handOff) {
        CaptureStatus st = CaptureStatus.read(source);
        long applied = sink.appliedSeq();
        long lagMs = applied >= st.capturedSeq() ? 0 : Math.max(0, System.currentTimeMillis() - sink.lastSourceTsMs());
        System.err.printf("captured %d, published %d, applied %d; lag %d change(s), %d ms; %d event(s) applied, %d dead-lettered%n",
                st.capturedSeq(), Math.max(f.publishedSeq(), handOff), applied, Math.max(0, st.capturedSeq() - applied),
                sink.lastSourceTsMs() == 0 && applied < st.capturedSeq() ? -1 : lagMs, sink.appliedEvents(), sink.deadLettered());
    }

    /**
     * The cutover's state, read once at start. After a rollback the application writes SQLite again: PostgreSQL
     * equals SQLite as of the rollback, so replication resumes from the sink's position once the rollback's fence
     * and key log are taken off PostgreSQL. An unfinished rollback is refused.
     */
    private String cutoverState(PostgresUrl target) {
        try (Connection c = target.connect("replicator-run")) {
            String status = io.replicator.cutover.CutoverState.status(c, opts.schema);
            if ("rolling back".equals(status)) {
                throw ReplicatorException.config("a rollback of schema " + opts.schema + " did not finish: run `bin/replicator rollback` again first");
            }
            if ("rolled back".equals(status)) {
                c.setAutoCommit(false);
                io.replicator.rollback.PgChangeLog.remove(c, opts.schema);
                io.replicator.cutover.CutoverState.clear(c, opts.schema);
                c.commit();
                System.err.println("schema " + opts.schema + " was rolled back to SQLite: PostgreSQL's fence is lifted, replication resumes");
                return null;
            }
            return status;
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the cutover state in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }

    private boolean cutoverDone(PostgresUrl target) {
        try (Connection c = target.connect("replicator-run")) {
            return "done".equals(io.replicator.cutover.CutoverState.status(c, opts.schema));
        } catch (SQLException | ReplicatorException e) {
            return false; // PostgreSQL unreachable for a moment: the sink reports it
        }
    }

    /** Snapshots unless a finished snapshot of this file is there; an interrupted or failed one is started over. True if it snapshotted. */
    private boolean snapshotIfNeeded(SqliteSource source, PostgresUrl target) {
        SnapshotState.Run run;
        try (Connection c = target.connect("replicator-run")) {
            SnapshotState.ensure(c);
            run = SnapshotState.existingRun(c, opts.schema);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the snapshot state in " + target.redacted() + ": " + e.getMessage(), e);
        }
        if (run != null && run.status().equals("done") && run.sqlitePath().equals(source.path().toString()) && run.changelogSeq() != null) return false;
        if (run != null && run.status().equals("done") && !run.sqlitePath().equals(source.path().toString())) {
            throw ReplicatorException.config("schema " + opts.schema + " holds a snapshot of " + run.sqlitePath() + ", not of " + source.path()
                    + "; use another --schema");
        }
        if (run != null) System.err.println("the snapshot in schema " + opts.schema + " is " + run.status() + ": starting it over");
        SnapshotOptions opt = new SnapshotOptions(translation.planOptions(opts.schema), workers, JournalPolicy.parse(rollbackJournal), run != null);
        SnapshotReport r;
        try (ProgressDisplay progress = ProgressDisplay.create(true, "snapshot")) {
            r = new Snapshotter(source, target, opt, progress).run();
        }
        System.err.printf("snapshot: %d tables, %d rows in %.2f s%n", r.tables().size(), r.rows(), r.seconds());
        return true;
    }

    /**
     * The sink starts at the snapshot's changelog mark. After a new snapshot it also starts after everything
     * already in the topic (events of earlier runs, which the new snapshot covers).
     */
    private void preparePosition(PostgresUrl target, String topic, long handOff, long kafkaOffset) {
        try (Connection c = target.connect("replicator-run")) {
            SinkState.ensure(c);
            SinkState s = SinkState.read(c, opts.schema);
            if (s == null || kafkaOffset >= 0 || s.seq() < handOff) SinkState.reset(c, opts.schema, topic, handOff, kafkaOffset);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot prepare the sink position in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }
}

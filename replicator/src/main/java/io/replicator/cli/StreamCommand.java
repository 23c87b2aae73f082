package io.replicator.cli;

import io.replicator.run.HandOff;
import io.replicator.run.StopSignal;
import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.state.SnapshotState;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.log.LogFile;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.stream.KafkaTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code replicator stream}: publishes every change of the SQLite file to Kafka, starting exactly where the
 * snapshot in PostgreSQL ended, until stopped (Ctrl-C / SIGTERM flushes the position and stops cleanly).
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Publish every committed change of the SQLite file to Kafka, in commit order, starting where the snapshot ended. Runs until Ctrl-C or SIGTERM.")
final class StreamCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Mixin
    FeedOptions feed;

    @Override
    public Integer call() throws InterruptedException {
        SqliteSource source = opts.source();
        long start = HandOff.position(source, opts.target(), opts.schema);
        FeedSettings settings = feed.settings(source, start);
        try (LogFile log = feed.openLog(); StopSignal stop = new StopSignal("stream");
             KafkaTarget kafka = KafkaTarget.open(feed.kafka, settings.stateDir());
             ChangeFeed f = ChangeFeed.start(settings, kafka.bootstrapServers())) {
            System.err.println("streaming " + source.path() + " -> topic " + settings.topic() + " on " + kafka.describe()
                    + ", after changelog seq " + start + " (or the stored position, if later); Ctrl-C stops");
            long lastReported = -1;
            long nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!stop.await(Duration.ofMillis(100)) && !f.await(Duration.ZERO)) {
                if (System.nanoTime() < nextReport || f.publishedSeq() == lastReported) continue;
                nextReport = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                lastReported = f.publishedSeq();
                System.err.println("published " + f.publishedEvents() + " event(s); position " + Math.max(lastReported, start));
            }
            ReplicatorException failure = f.failure();
            if (failure != null) throw failure;
            System.err.println("stopped at position " + Math.max(f.publishedSeq(), start) + " after " + f.publishedEvents() + " event(s)");
        }
        return ExitCode.OK.code;
    }
}

package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.sink.SinkState;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.FeedSettings;
import io.replicator.stream.KafkaTarget;
import io.replicator.replay.ReplayStart;
import io.replicator.stream.TopicTail;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code replicator replay}: sets the sink's position back and re-applies the events Kafka still holds, up to
 * the last consistent point in the topic, then exits. Safe because applying is idempotent (each event carries
 * the row as SQLite held it). Used after rows were lost or damaged in PostgreSQL, after a restore from a
 * backup older than the position, or after fixing a column type for dead-lettered events. Run it while
 * {@code run} is stopped (a lock makes sure); {@code run} then resumes from where replay ended.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-apply the change events Kafka still holds, from a changelog position or a time, to PostgreSQL (with `run` stopped).")
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Mixin
    FeedOptions feed;

    static final class From {
        @Option(names = "--from-seq", paramLabel = "N", description = "Re-apply every change after changelog position N (0: everything Kafka holds).")
        Long seq;

        @Option(names = "--from-time", paramLabel = "ISO-8601", description = "Re-apply from the last consistent point before this time, e.g. 2026-11-21T07:00:00Z.")
        String time;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    From from;

    @Option(names = "--tables", split = ",", paramLabel = "T1,T2",
            description = "Only these SQLite tables (default: all). Their changes are re-applied in one transaction up to where PostgreSQL was.")
    java.util.List<String> tables;

    @Override
    public Integer call() throws InterruptedException {
        SqliteSource source = opts.source();
        PostgresUrl target = opts.target();
        FeedSettings settings = feed.settings(source.path(), 0);
        try (KafkaTarget kafka = KafkaTarget.open(feed.kafka, settings.stateDir())) {
            String topic = settings.topic();
            long fromSeq = ReplayStart.resolve(kafka.bootstrapServers(), topic, from.seq, from.time);
            TopicTail.Point last = TopicTail.last(kafka.bootstrapServers(), topic);
            try (Connection c = target.connect("replicator-replay")) {
                SinkState.ensure(c);
                if (Sink.schemaBusy(c, opts.schema)) {
                    throw ReplicatorException.config("a `run` (or another replay) is applying to schema " + opts.schema
                            + "; stop it first, or ask it to replay: POST /replay on its control plane");
                }
                SinkState s = SinkState.read(c, opts.schema);
                if (s == null) throw ReplicatorException.config("nothing was ever applied to schema " + opts.schema + ": there is nothing to replay");
                // a start ahead of where PostgreSQL is would skip changes: the sink goes on from its own position instead
                if (fromSeq > s.seq()) fromSeq = s.seq();
            } catch (SQLException e) {
                throw ReplicatorException.runtime("cannot read the sink position in " + target.redacted() + ": " + e.getMessage(), e);
            }
            System.err.println("replaying topic " + topic + " into schema " + opts.schema + ": every change after seq " + fromSeq
                    + (tables == null ? "" : " to tables " + tables) + " up to seq " + last.seq() + " (the last consistent point Kafka holds)");
            try (Sink sink = Sink.start(SinkSettings.of(kafka.bootstrapServers(), topic, opts.schema, target))) {
                sink.replay(fromSeq, tables == null ? null : new java.util.LinkedHashSet<>(tables));
                while (sink.replaying() || sink.appliedSeq() < last.seq()) {
                    if (sink.await(Duration.ofMillis(200))) break;
                }
                if (sink.failure() != null) throw sink.failure();
                System.err.println("replayed " + sink.appliedEvents() + " event(s); PostgreSQL is at seq " + sink.appliedSeq()
                        + ". Start `run` again to go on streaming.");
            }
        }
        return ExitCode.OK.code;
    }
}

package io.replicator.cli;

import java.util.List;

import io.replicator.core.ExitCode;
import io.replicator.replay.OfflineReplay;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.log.LogFile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    List<String> tables;

    @Override
    public Integer call() throws InterruptedException {
        SqliteSource source = opts.source();
        try (LogFile log = feed.openLog()) {
            OfflineReplay.run(opts.target(), opts.schema, feed.settings(source, 0), feed.kafka, from.seq, from.time, tables);
        }
        return ExitCode.OK.code;
    }
}

package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.run.ProgressDisplay;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Problem;
import io.replicator.core.sqlite.JournalPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code replicator snapshot}: creates the schema and copies all data from one consistent read. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Create the PostgreSQL schema and copy every table from one consistent SQLite read (binary COPY, tables in parallel).")
final class SnapshotCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Mixin
    TranslationOptions translation;

    @Option(names = "--workers", defaultValue = "2", description = "Tables copied in parallel (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--rollback-journal", defaultValue = "refuse", paramLabel = "refuse|switch-to-wal|lock",
            description = "For a database not in WAL mode: refuse (default), switch it to WAL (persistent), or copy under a lock that makes the application's writers wait.")
    String rollbackJournal;

    @Option(names = "--drop", description = "Start over: drop the tables and state of an earlier snapshot into the same schema.")
    boolean drop;

    @Override
    public Integer call() {
        PlanOptions plan = translation.planOptions(opts.schema);
        if (translation.replaceExistingRows && !plan.intoExisting()) throw ReplicatorException.config("--replace-existing-rows applies only with --into-existing");
        SnapshotOptions opt = new SnapshotOptions(plan, workers, JournalPolicy.parse(rollbackJournal), drop, translation.replaceExistingRows);
        var source = opts.source();
        var target = opts.target();
        SnapshotReport r;
        try (ProgressDisplay progress = ProgressDisplay.create(!opts.json, "snapshot")) {
            r = new Snapshotter(source, target, opt, progress).run();
        }
        if (opts.json) {
            Json.print(r);
        } else {
            for (SnapshotReport.TableReport t : r.tables()) {
                System.out.printf("%-40s %12d rows %12d bytes %8.2f s%n", t.source(), t.rows(), t.bytes(), t.seconds());
            }
            for (Problem p : r.problems()) if (p.level() != Problem.Level.NOTE) System.out.println(p);
            System.out.printf("snapshot of %s into %s schema %s: %d tables, %d rows, %.1f MB in %.2f s (%.0f rows/s); writers paused %d ms (readers aligned after %d ms); WAL %d -> %d bytes%n",
                    r.sqlite(), r.postgres(), r.schema(), r.tables().size(), r.rows(), r.bytes() / 1e6, r.seconds(), r.rows() / Math.max(r.seconds(), 1e-9),
                    r.fenceMillis(), r.fenceWaitMillis(), r.walBytesBefore(), r.walBytesAfter());
        }
        return ExitCode.OK.code;
    }
}

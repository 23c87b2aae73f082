package io.replicator.snapshot.load;

import io.replicator.state.SnapshotState;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresErrors;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.translate.plan.ExistingTablesPlanner;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.translate.schema.SourceSchema;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a whole SQLite file into one PostgreSQL schema from one consistent SQLite read: plan, create, COPY
 * tables in parallel, build keys and indexes per table, then foreign keys and views. Each table is created,
 * loaded, indexed and marked done in one PostgreSQL transaction; the run row says when all of it finished.
 * <p>This class only orders the phases; each phase is its own class: {@link SourceJournal} (may the file be
 * read while it is written), {@link TargetSchema} (lock, refuse or drop, clean up a failed run),
 * {@link ChangelogMark} (where the stream takes over), {@link CopyScheduler} and {@link TableLoader} (the
 * tables), {@link SchemaCompletion} (foreign keys, views, 'done').
 */
public final class Snapshotter {
    /** application_name of every PostgreSQL connection a snapshot opens. */
    static final String APP = "replicator-snapshot";

    private final SqliteSource source;
    private final PostgresUrl target;
    private final SnapshotOptions opt;
    private final SnapshotProgress progress;

    public Snapshotter(SqliteSource source, PostgresUrl target, SnapshotOptions opt, SnapshotProgress progress) {
        this.source = source;
        this.target = target;
        this.opt = opt;
        this.progress = progress;
    }

    public SnapshotReport run() {
        long t0 = System.nanoTime();
        String schema = opt.plan().schema();
        String mode = SourceJournal.prepare(source, opt.journal());
        boolean wal = mode.equals("wal");
        long walBefore = source.walBytes();
        try (Connection coord = target.connect(APP)) {
            SnapshotState.ensure(coord);
            if (!TargetSchema.tryLock(coord, schema)) {
                throw ReplicatorException.config("another snapshot into schema " + schema + " is running (advisory lock held); wait for it or stop it");
            }
            List<String> filled = opt.plan().intoExisting() ? new ArrayList<>() : null; // the application's tables, emptied on failure
            try (ConsistentRead read = ConsistentRead.open(source, opt.workers(), wal)) {
                Connection r0 = read.reader(0);
                SourceSchema sourceSchema = SchemaReader.read(r0);
                PlanOptions planOptions = opt.plan().resolved(sourceSchema); // stored: re-plans and later tables follow the same framework
                Plan plan = planOptions.intoExisting()
                        ? ExistingTablesPlanner.plan(source.path().toString(), r0, sourceSchema, planOptions, coord, false)
                        : Planner.plan(source.path().toString(), r0, sourceSchema, planOptions, true);
                if (plan.hasErrors()) throw planErrors(plan);
                if (filled != null) plan.tables().forEach(t -> filled.add(t.pgName()));
                if (planOptions.intoExisting()) TargetSchema.prepareExisting(coord, plan, opt.drop(), opt.drop() || opt.replaceExistingRows());
                else TargetSchema.prepare(coord, plan, opt.drop());
                Long seq = ChangelogMark.read(r0);
                SnapshotState.start(coord, schema, source.path().toString(), seq, planOptions.toJson());
                TableLoader loader = new TableLoader(source, target, planOptions, progress);
                List<SnapshotReport.TableReport> done = new CopyScheduler(source.path(), target, loader, progress).copyAll(read, plan);
                List<Problem> problems = new ArrayList<>(plan.problems());
                problems.addAll(loader.warnings());
                SchemaCompletion.finish(coord, plan, problems);
                long rows = done.stream().mapToLong(SnapshotReport.TableReport::rows).sum();
                long bytes = done.stream().mapToLong(SnapshotReport.TableReport::bytes).sum();
                return new SnapshotReport(source.path().toString(), target.redacted(), schema, mode, read.fenceMillis(), read.waitMillis(), seq, walBefore,
                        source.walBytes(), (System.nanoTime() - t0) / 1e9, rows, bytes, done, problems);
            } catch (RuntimeException e) {
                TargetSchema.markFailed(coord, schema, filled, e);
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresErrors.wrap("snapshot into " + target.redacted() + " failed", e, target);
        } finally {
            progress.finished();
        }
    }

    /** Exit 3 before anything is written: every column whose values cannot all move exactly. */
    public static ReplicatorException planErrors(Plan plan) {
        StringBuilder sb = new StringBuilder();
        for (Problem p : plan.errors()) {
            sb.append(sb.length() == 0 ? "cannot move " : "\n  also ").append(p.where()).append(" without loss: ").append(p.message());
        }
        return new ReplicatorException(ExitCode.DATA_LOSS, sb + "\nThe snapshot stopped; nothing of it is left in PostgreSQL. "
                + "'replicator plan' with the same options lists every such problem at once.");
    }
}

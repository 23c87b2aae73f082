package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.rollback.Rollback;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code replicator rollback}: back to SQLite after a cutover, with every write the application made to PostgreSQL. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "After a cutover, return to SQLite keeping every write made to PostgreSQL since: fence PostgreSQL, write the changed rows back"
                + " into SQLite, compare both sides in full, then lift SQLite's fence. If they differ, PostgreSQL's fence is lifted instead.")
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    SourceTargetOptions opts;

    @Override
    public Integer call() {
        Rollback.Result r = new Rollback(opts.source(), opts.target(), opts.schema).run();
        if (opts.json) Json.print(r);
        if (r.done()) {
            System.err.println("rolled back: " + r.rowsWritten() + " row(s) written and " + r.rowsDeleted() + " deleted in SQLite (PostgreSQL's writes up to"
                    + " key log seq " + r.pgLogSeq() + "); both sides compared equal; writes were refused for " + r.writePauseMs() + " ms."
                    + " SQLite accepts writes again and PostgreSQL refuses them: point the application at SQLite."
                    + " `bin/replicator run` resumes replicating into PostgreSQL.");
            return ExitCode.OK.code;
        }
        System.err.println("rollback not done: " + r.reason());
        return ExitCode.DIFFERENCES.code;
    }
}

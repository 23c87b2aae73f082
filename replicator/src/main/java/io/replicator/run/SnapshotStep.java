package io.replicator.run;

import io.replicator.core.ReplicatorException;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.state.SnapshotState;

import java.sql.Connection;
import java.sql.SQLException;

/** {@code run}'s snapshot: taken unless a finished snapshot of this file is there; an interrupted or failed one is started over. */
final class SnapshotStep {
    private final RunSettings s;

    SnapshotStep(RunSettings s) {
        this.s = s;
    }

    /** True if it took a snapshot now. */
    boolean runIfNeeded() {
        SnapshotState.Run run;
        try (Connection c = s.target().connect("replicator-run")) {
            SnapshotState.ensure(c);
            run = SnapshotState.existingRun(c, s.schema());
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the snapshot state in " + s.target().redacted() + ": " + e.getMessage(), e);
        }
        String path = s.source().path().toString();
        if (run != null && run.done() && run.sqlitePath().equals(path) && run.changelogSeq() != null) return false;
        if (run != null && run.done() && !run.sqlitePath().equals(path)) {
            throw ReplicatorException.config("schema " + s.schema() + " holds a snapshot of " + run.sqlitePath() + ", not of " + path + "; use another --schema");
        }
        if (run != null) System.err.println("the snapshot in schema " + s.schema() + " is " + run.status() + ": starting it over");
        SnapshotOptions opt = new SnapshotOptions(s.plan(), s.workers(), s.journal(), run != null, s.replaceExistingRows());
        SnapshotReport r;
        try (ProgressDisplay progress = ProgressDisplay.create(true, "snapshot")) {
            r = new Snapshotter(s.source(), s.target(), opt, progress).run();
        }
        System.err.printf("snapshot: %d tables, %d rows in %.2f s%n", r.tables().size(), r.rows(), r.seconds());
        return true;
    }
}

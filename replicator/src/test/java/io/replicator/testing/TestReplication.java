package io.replicator.testing;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.PostgresUrl;
import io.replicator.core.testing.TestPostgres;
import io.replicator.state.SinkState;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.FeedSettings;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

/** What `run` does before streaming, for tests that start the feed and the sink themselves: capture, snapshot, sink position. */
public final class TestReplication {
    private TestReplication() {}

    /** Installs capture in {@code db}, snapshots it into {@code schema}, sets the sink's position to the start; returns the feed's settings. */
    public static FeedSettings prepare(Path db, String schema, Path stateDir, PostgresUrl target) throws Exception {
        SqliteSource src = SqliteSource.of(db.toString());
        new CaptureInstaller(src).install();
        new Snapshotter(src, target, new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false),
                SnapshotProgress.NONE).run();
        FeedSettings fs = FeedSettings.defaults(db, 0, stateDir);
        try (Connection pg = TestPostgres.connect()) {
            SinkState.ensure(pg);
            SinkState.reset(pg, schema, fs.topic(), 0, -1);
        }
        return fs;
    }
}

package io.replicator.snapshot;

import io.replicator.core.testing.TestPostgres;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.Verifier;
import io.replicator.verify.VerifyReport;

import java.nio.file.Path;
import java.util.List;

/** Test shorthand for running snapshot and verify against the test PostgreSQL. */
final class Snap {
    private Snap() {}

    static SnapshotReport snapshot(Path sqlite, String schema, JournalPolicy journal, List<String> types, ConflictPolicy policy, boolean drop) {
        PlanOptions po = PlanOptions.of(schema, types, policy == ConflictPolicy.WIDEN ? "widen" : "refuse");
        return new Snapshotter(SqliteSource.of(sqlite.toString()), TestPostgres.target(), new SnapshotOptions(po, 2, journal, drop),
                SnapshotProgress.NONE).run();
    }

    static SnapshotReport snapshot(Path sqlite, String schema) {
        return snapshot(sqlite, schema, JournalPolicy.REFUSE, List.of(), ConflictPolicy.REFUSE, false);
    }

    static VerifyReport verify(Path sqlite, String schema) {
        return new Verifier(SqliteSource.of(sqlite.toString()), TestPostgres.target(), schema, 20).run();
    }
}

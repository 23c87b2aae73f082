package io.replicator.snapshot.load;

import io.replicator.core.ReplicatorException;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;

/**
 * @param workers tables copied in parallel, each with its own SQLite reader and PostgreSQL connection (1..64)
 * @param drop    start over: drop what an earlier snapshot into the same schema created (with --into-existing: empty
 *                what it filled)
 * @param replaceExistingRows with --into-existing: empty the application's tables that already hold rows before the copy
 */
public record SnapshotOptions(PlanOptions plan, int workers, JournalPolicy journal, boolean drop, boolean replaceExistingRows) {
    public SnapshotOptions {
        if (workers < 1 || workers > 64) throw ReplicatorException.config("--workers must be 1..64, got " + workers);
    }

    public SnapshotOptions(PlanOptions plan, int workers, JournalPolicy journal, boolean drop) {
        this(plan, workers, journal, drop, false);
    }
}

package io.replicator.cli;

import io.replicator.core.testing.TestPostgres;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code status} as an operator reads it (text), for tests outside this package. */
public final class CliStatusText {
    private CliStatusText() {}

    /** The text of {@code status} names the rows that break foreign keys. */
    public static void assertShowsOrphans(Path db, String schema, Path stateDir, long rows) {
        CliIT.Run r = CliIT.run("status", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema, "--state-dir", stateDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("orphan rows         " + rows + " "), r.out());
    }
}

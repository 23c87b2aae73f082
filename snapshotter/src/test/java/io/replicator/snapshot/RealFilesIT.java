package io.replicator.snapshot;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.PlanScanner;
import io.replicator.translate.plan.Problem;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.verify.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every real-world file in shared/testdata/sqlite: it either snapshots with verify reporting zero
 * differences, or stops with exit 3 naming table, column and row, leaving nothing in PostgreSQL.
 */
class RealFilesIT {
    @TempDir
    Path dir;

    private VerifyReport snapshotAndVerify(String file, List<String> types, ConflictPolicy policy) throws Exception {
        Path f = SqliteFiles.sharedTestdata().resolve(file);
        String schema = TestPostgres.freshSchema("real");
        SnapshotReport r = Snap.snapshot(f, schema, JournalPolicy.LOCK, types, policy, false);
        assertTrue(r.tables().size() > 0);
        VerifyReport v = Snap.verify(f, schema);
        assertTrue(v.equal(), () -> "verify found differences: " + v);
        assertEquals(r.rows(), v.tables().stream().mapToLong(VerifyReport.TableResult::postgresRows).sum());
        return v;
    }

    private void refusedNaming(String file, String... mustMention) throws Exception {
        Path f = SqliteFiles.sharedTestdata().resolve(file);
        String schema = TestPostgres.freshSchema("real");
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> Snap.snapshot(f, schema, JournalPolicy.LOCK, List.of(), ConflictPolicy.REFUSE, false));
        assertEquals(ExitCode.DATA_LOSS, e.exitCode(), e.getMessage());
        for (String m : mustMention) assertTrue(e.getMessage().contains(m), () -> "message must mention " + m + ": " + e.getMessage());
        assertEquals(0, count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"), "nothing may be written");
    }

    @Test
    void chinook() throws Exception {
        VerifyReport v = snapshotAndVerify("chinook.sqlite", List.of(), ConflictPolicy.REFUSE);
        assertEquals(11, v.tables().size());
        assertEquals(15607, v.tables().stream().mapToLong(VerifyReport.TableResult::sqliteRows).sum());
    }

    @Test
    void chinookAutoincrementKeysContinuePastTheCopiedMaximum() throws Exception {
        Path f = SqliteFiles.sharedTestdata().resolve("chinook_autoincrement_pks.sqlite");
        String schema = TestPostgres.freshSchema("real");
        Snap.snapshot(f, schema, JournalPolicy.LOCK, List.of(), ConflictPolicy.REFUSE, false);
        assertTrue(Snap.verify(f, schema).equal());
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("INSERT INTO \"" + schema + "\".\"Genre\" (\"Name\") VALUES ('new') RETURNING \"GenreId\"")) {
                rs.next();
                assertEquals(26, rs.getLong(1), "identity continues after the copied maximum (25)");
            }
        }
    }

    @Test
    void pgloaderSqliteIsRefusedByDefaultAndMovesExactlyWhenWidened() throws Exception {
        refusedNaming("pgloader_sqlite.db", "without loss", "--type", "replicator plan");
        PlanScanner.Result plan = PlanScanner.scan(SqliteSource.of(SqliteFiles.sharedTestdata().resolve("pgloader_sqlite.db").toString()),
                PlanOptions.of("p", List.of(), "refuse"));
        List<String> errors = plan.plan().errors().stream().map(Problem::where).toList();
        assertEquals(List.of("stamps.StartTime", "intege.id"), errors, "plan names every conflicting column at once");
        VerifyReport v = snapshotAndVerify("pgloader_sqlite.db", List.of(), ConflictPolicy.WIDEN);
        assertEquals(20, v.tables().size(), "every table, including those without a primary key, is copied");
    }

    @Test
    void typeMismatchNamesTableColumnRowAndValue() throws Exception {
        refusedNaming("pgloader_type-mismatch.db", "products.qty", "id=2", "'lots-of-it'");
        snapshotAndVerify("pgloader_type-mismatch.db", List.of("products.qty=text"), ConflictPolicy.REFUSE);
    }

    @Test
    void collidingLongColumnNamesBothSurvive() throws Exception {
        snapshotAndVerify("pgloader_collision.db", List.of(), ConflictPolicy.REFUSE);
    }

    @Test
    void badUtf8IsRefusedOrMovedAsBytes() throws Exception {
        refusedNaming("pgloader_bad-utf8.db", "files.filename", "id=2", "bytea");
        snapshotAndVerify("pgloader_bad-utf8.db", List.of("files.filename=bytea"), ConflictPolicy.REFUSE);
    }

    @Test
    void foreignKeyBetweenSingleColumnKeys() throws Exception {
        Path f = SqliteFiles.sharedTestdata().resolve("pgloader_test_pk.db");
        String schema = TestPostgres.freshSchema("real");
        Snap.snapshot(f, schema, JournalPolicy.LOCK, List.of(), ConflictPolicy.REFUSE, false);
        assertTrue(Snap.verify(f, schema).equal());
        assertEquals(1, count("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '"
                + schema + "' AND c.contype = 'f'"));
    }

    @Test
    void rollbackJournalFileIsRefusedByDefault() {
        Path f = SqliteFiles.sharedTestdata().resolve("chinook.sqlite");
        String schema = TestPostgres.freshSchema("real");
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> Snap.snapshot(f, schema));
        assertEquals(ExitCode.BAD_CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains("--rollback-journal=switch-to-wal"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    static long count(String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

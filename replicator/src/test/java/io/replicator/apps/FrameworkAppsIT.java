package io.replicator.apps;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.ReplicatorProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration as a team does it, with real applications nobody here wrote the framework of: a Django 3.2 app and a
 * SQLAlchemy 1.4 + Alembic app (Debian's packages) write through their ORMs into SQLite; {@code run} replicates while
 * the application keeps writing; {@code cutover} flips under that load; then the application runs on PostgreSQL.
 * For the schema the tool makes and for the application's own ({@code --into-existing}):
 * <ul>
 *   <li>every row reads back through the ORM as it did from SQLite (the apps' {@code dump}, compared row by row);</li>
 *   <li>the same kind of workload on PostgreSQL has 0 failed operations (each operation reads back what it wrote:
 *       aware datetimes, uuids, decimals, JSON lookups, upserts, deferred keys, cascades, M2M);</li>
 *   <li>the application's next migration (rename a field, drop a named constraint, alter columns, add an index) applies;</li>
 *   <li>with {@code --into-existing}, the catalog equals the ORM's own schema on an empty database.</li>
 * </ul>
 */
class FrameworkAppsIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void frameworksInstalled() throws Exception {
        PythonApp.requireInstalled();
    }

    private static String pgAppDb(String schema) {
        String url = TestPostgres.url();
        return url + (url.contains("?") ? "&" : "?") + "schema=" + schema;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"django, tool", "django, existing", "sqlalchemy, tool", "sqlalchemy, existing"})
    void theApplicationRunsOnPostgresqlAfterTheCutover(String name, String mode) throws Exception {
        PythonApp app = new PythonApp(name, dir);
        boolean existing = mode.equals("existing");
        Path db = dir.resolve(name + ".db");
        String sqlite = "sqlite:" + db;
        assertOk(app.run(sqlite, "setup_db", "--quiet"), "setup_db on SQLite");
        assertNoErrors(app.run(sqlite, "workload", "--ops", "120", "--seed", "1", "--json"), "the workload on SQLite");

        String schema = TestPostgres.freshSchema(name + "_" + mode);
        if (existing) assertOk(app.run(pgAppDb(schema), "setup_db", "--quiet"), "the application's own migrations on PostgreSQL");
        List<String> extra = new ArrayList<>(List.of("--rollback-journal", "switch-to-wal"));
        if (existing) extra.addAll(List.of("--into-existing", "--replace-existing-rows"));
        extra.addAll(List.of("--round-to-scale", "*")); // the workloads' SQL arithmetic leaves REAL noise in decimal columns
        if (!existing) extra.addAll(typesTheFileCannotTell(name));
        ReplicatorProcess run = ReplicatorProcess.run(dir, db, schema, dir.resolve("state"), null, extra.toArray(String[]::new));
        try {
            ReplicatorProcess.awaitApplied(schema, 0, 180, run);
            // the application keeps writing while the feed streams and while the cutover fences SQLite
            PythonApp.Running live = app.start(sqlite, "workload", "--ops", "1000000", "--seed", "2", "--json");
            Thread.sleep(3000);
            ReplicatorProcess cut = ReplicatorProcess.start(dir, "cutover", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                    "--max-write-pause", "30s");
            assertEquals(0, cut.awaitExit(300), "cutover: " + cut.tail(30) + "\nrun: " + run.tail(30));
            assertTrue(live.process().isAlive(), "the application was still writing to SQLite when the cutover fenced it and flipped");
            live.process().destroy(); // its writes now fail on the fence: the application is pointed at PostgreSQL
            live.process().waitFor();

            // every row reads back through the ORM as it did from SQLite
            Path fromSqlite = dir.resolve(name + "-sqlite.json");
            Path fromPg = dir.resolve(name + "-pg.json");
            PythonApp.Result a = app.run(sqlite, "dump", "--json");
            assertOk(a, "dump on SQLite");
            Files.writeString(fromSqlite, a.out());
            PythonApp.Result b = app.run(pgAppDb(schema), "dump", "--json");
            assertOk(b, "dump on PostgreSQL");
            Files.writeString(fromPg, b.out());
            PythonApp.Result diff = app.tool("dump_diff.py", fromSqlite.toString(), fromPg.toString(), "--examples", "2");
            assertEquals(0, diff.exit(), "values that read back differently through the ORM:\n" + diff.out() + diff.err());

            // the application on PostgreSQL
            assertNoErrors(app.run(pgAppDb(schema), "workload", "--ops", "300", "--seed", "3", "--json"), "the workload on PostgreSQL");
            if (existing) {
                String orm = TestPostgres.freshSchema(name + "_orm");
                assertOk(app.run(pgAppDb(orm), "setup_db", "--quiet"), "the ORM's own schema");
                PythonApp.Result catalog = app.tool("pg_catalog.py", "--db", TestPostgres.url(), "--diff", orm, schema);
                // the one difference: the way back's key log on each table, installed by the cutover (docs/switching.md)
                List<String> other = catalog.out().lines().filter(l -> !l.isBlank() && !l.contains("trigger only in B: _replicator_log")).toList();
                assertTrue(other.isEmpty(), "the catalog differs from the ORM's own schema:\n" + String.join("\n", other) + catalog.err());
                assertTrue(catalog.out().contains("_replicator_log"), "the rollback log is in place after the cutover: " + catalog.out());
            } else {
                String orm = TestPostgres.freshSchema(name + "_orm");
                assertOk(app.run(pgAppDb(orm), "setup_db", "--quiet"), "the ORM's own schema");
                PythonApp.Result catalog = app.tool("pg_catalog.py", "--db", TestPostgres.url(), "--diff", orm, schema, "--summary");
                System.out.println(name + " catalog differences from the ORM's own schema (schema made by the tool):\n" + summary(catalog.out()));
            }
            assertOk(app.run(pgAppDb(schema), "apply_next", "--quiet"), "the application's next migration on PostgreSQL");
        } finally {
            run.stop();
        }
    }

    /**
     * What the file alone cannot tell and the user passes after reading {@code plan} (docs/switching.md): Django's
     * DurationField and SQLAlchemy's Interval, and the decimal places Django does not write into SQLite's DDL.
     */
    private static List<String> typesTheFileCannotTell(String app) {
        if (app.equals("django")) {
            return List.of("--type", "shop_product.warranty=interval", "--type", "shop_product.price=numeric(12,4)",
                    "--type", "shop_order.total=numeric(12,4)", "--type", "shop_orderline.unit_price=numeric(12,4)");
        }
        return List.of("--type", "products.warranty=interval");
    }

    private static String summary(String catalogDiff) {
        StringBuilder sb = new StringBuilder();
        for (String line : catalogDiff.split("\n")) if (line.startsWith("-- ")) sb.append(line).append('\n');
        return sb.toString();
    }

    private static void assertOk(PythonApp.Result r, String what) {
        assertEquals(0, r.exit(), what + " failed:\n" + r.out() + "\n" + r.err());
    }

    private static void assertNoErrors(PythonApp.Result r, String what) throws Exception {
        assertOk(r, what);
        JsonNode j = r.json();
        assertEquals(0, j.path("errors").asLong(), what + ": " + j.path("errors").asLong() + " of " + j.path("ops").asLong()
                + " operations failed: " + j.path("error_kinds"));
    }
}

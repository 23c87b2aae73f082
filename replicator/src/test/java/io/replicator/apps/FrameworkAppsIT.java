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
import java.util.stream.Stream;
import java.util.regex.Pattern;
import java.util.regex.Matcher;

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
                List<String> unexplained = catalog.out().lines().filter(l -> !l.isBlank() && !l.startsWith("-- "))
                        .filter(l -> DOCUMENTED_DIFFERENCES.stream().noneMatch(d -> d.matcher(l).find()) && !sameCheck(l)).toList();
                assertEquals(List.of(), unexplained, "catalog differences not listed in docs/switching.md (\"How the tool's schema differs\")");
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

    /** One pattern per row of docs/switching.md, "How the tool's schema differs from the framework's own". */
    private static final List<Pattern> DOCUMENTED_DIFFERENCES = Stream.of(
            ": column \\S+: type: integer \\| bigint$", // bigint where the framework has integer
            ": sequence \\S+: type: integer \\| bigint$",
            ": sequence \\S+: max: 2147483647 \\| 9223372036854775807$",
            ": column \\S+: identity: - \\| BY DEFAULT$", // identity where the framework has serial
            ": column \\S+: default: nextval\\('[^']+'::regclass\\) \\| -$",
            ": sequence \\S+: owned_by: (\\S+) \\| \\1 \\(identity\\)$",
            ": foreign key name: \\S+ \\| \\S+_fkey \\(same definition\\)$", // Django's hashed FK names
            ": index only in A: \\S+_like CREATE INDEX ON \\S+ USING btree \\(\\S+ (varchar|text)_pattern_ops\\)$", // Django's _like indexes
            ": column order: ", // Django's SQLite table rebuilds
            ": column \\S+: type: timestamp with time zone \\| timestamp without time zone$", // SQLAlchemy DateTime(timezone=True)
            ": trigger only in B: _replicator_log(_truncate)? CREATE TRIGGER ") // the way back
            .map(Pattern::compile).toList();

    /** A CHECK whose text differs only in how a number literal is spelled ({@code (0)::numeric} vs {@code '0'::numeric}). */
    private static boolean sameCheck(String line) {
        Matcher m = Pattern.compile(": check \\S+: definition: (.*) \\| (.*)$").matcher(line);
        if (!m.find()) return false;
        return literals(m.group(1)).equals(literals(m.group(2)));
    }

    private static String literals(String check) {
        return check.replaceAll("\\(?'?(-?\\d+(\\.\\d+)?)'?\\)?::", "$1::");
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

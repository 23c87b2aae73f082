package io.replicator.snapshot;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.PlanScanner;
import io.replicator.translate.plan.Problem;
import io.replicator.verify.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --into-existing}: the application's migrations made the tables on PostgreSQL (here by hand, as Django 3.2
 * makes them: serial ids, numeric(10,2), timestamptz, a named unique constraint, a deferred foreign key, its own
 * row in django_migrations); the copy fills them without touching their definition, and every difference that
 * would lose or refuse data is found before anything is written.
 */
class IntoExistingIT {
    @TempDir
    Path dir;

    private static final String[] SQLITE = {
            "CREATE TABLE django_migrations (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL, name varchar(255) NOT NULL,"
                    + " applied datetime NOT NULL)",
            "CREATE TABLE shop_category (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name varchar(50) NOT NULL UNIQUE)",
            "CREATE TABLE shop_product (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, title varchar(100) NOT NULL, price decimal NOT NULL,"
                    + " created datetime NOT NULL, category_id integer NOT NULL REFERENCES shop_category (id) DEFERRABLE INITIALLY DEFERRED)",
            "INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0001_initial', '2026-11-29 20:00:00.123456')",
            "INSERT INTO shop_category VALUES (1, 'tools'), (7, 'garden')",
            "INSERT INTO shop_product VALUES (1, 'saw', 12.5, '2026-11-29 20:21:11.123456', 1), (2, 'rake', 3.99, '2026-01-01 00:00:00', 7),"
                    + " (40, 'hose', 20, '2026-06-01 12:00:00', 7)"};

    private static String[] appSchema(String s) {
        return new String[] {
                "CREATE SCHEMA " + s,
                "CREATE TABLE " + s + ".django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL)",
                "INSERT INTO " + s + ".django_migrations (app, name, applied) VALUES ('shop', '0001_initial', now())",
                "CREATE TABLE " + s + ".shop_category (id serial PRIMARY KEY, name varchar(50) NOT NULL CONSTRAINT shop_category_name_key UNIQUE)",
                "CREATE TABLE " + s + ".shop_product (id serial PRIMARY KEY, title varchar(100) NOT NULL, price numeric(10, 2) NOT NULL,"
                        + " created timestamptz NOT NULL, category_id integer NOT NULL CONSTRAINT shop_product_category_id_fk REFERENCES " + s
                        + ".shop_category (id) DEFERRABLE INITIALLY DEFERRED, note text NOT NULL DEFAULT '')"};
    }

    private String appSchema() throws Exception {
        String schema = TestPostgres.freshSchema("existing");
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            for (String sql : appSchema("\"" + schema + "\"")) s.execute(sql);
        }
        return schema;
    }

    private static SnapshotReport snapshot(Path f, String schema, boolean drop) {
        PlanOptions po = PlanOptions.of(schema, List.of(), "refuse").intoExistingTables();
        return new Snapshotter(SqliteSource.of(f.toString()), TestPostgres.target(), new SnapshotOptions(po, 2, JournalPolicy.REFUSE, drop),
                SnapshotProgress.NONE).run();
    }

    private static Plan plan(Path f, String schema) {
        return PlanScanner.scanAgainst(SqliteSource.of(f.toString()), PlanOptions.of(schema, List.of(), "refuse").intoExistingTables(),
                TestPostgres.target()).plan();
    }

    private static String value(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    @Test
    void theApplicationsTablesAreFilledAndKeepEveryDefinition() throws Exception {
        Path f = SqliteFiles.create(dir, "app.db", SQLITE);
        String schema = appSchema();
        String q = "\"" + schema + "\"";
        assertTrue(plan(f, schema).errors().isEmpty(), () -> plan(f, schema).problems().toString());

        ReplicatorException rows = assertThrows(ReplicatorException.class, () -> snapshot(f, schema, false));
        assertTrue(rows.getMessage().contains("django_migrations") && rows.getMessage().contains("--replace-existing-rows"), rows.getMessage());

        SnapshotReport r = snapshot(f, schema, true);
        assertEquals(6, r.rows());
        assertEquals("1", value("SELECT count(*) FROM " + q + ".django_migrations"), "the application's own row was replaced by SQLite's");
        assertEquals("12.50|3.99|20.00", value("SELECT string_agg(price::text, '|' ORDER BY id) FROM " + q + ".shop_product"));
        assertEquals("2026-11-29T20:21:11.123456Z", value("SELECT to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM " + q
                + ".shop_product WHERE id = 1"));
        assertEquals("", value("SELECT note FROM " + q + ".shop_product WHERE id = 40"), "a column SQLite does not have gets its default");
        // definitions untouched: names, types, deferral
        assertEquals("numeric(10,2)", value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + q + ".shop_product'::regclass"
                + " AND attname = 'price'"));
        assertEquals("shop_category_name_key", value("SELECT conname FROM pg_constraint WHERE conrelid = '" + q + ".shop_category'::regclass AND contype = 'u'"));
        assertEquals("shop_product_category_id_fk true true", value("SELECT conname || ' ' || condeferrable || ' ' || condeferred FROM pg_constraint"
                + " WHERE conrelid = '" + q + ".shop_product'::regclass AND contype = 'f'"));
        VerifyReport v = Snap.verify(f, schema);
        assertTrue(v.equal(), () -> "verify compares across the conversions: " + v);
        // the serial sequence continues after the copied ids
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + q + ".shop_product (title, price, created, category_id) VALUES ('new', 1, now(), 1)");
        }
        assertEquals("41", value("SELECT max(id) FROM " + q + ".shop_product"));
    }

    @Test
    void everyDifferenceIsListedBeforeAnythingIsWritten() throws Exception {
        Path f = SqliteFiles.create(dir, "drift.db", SQLITE);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE shop_product ADD COLUMN colour text");                   // no such column in PostgreSQL
            s.execute("INSERT INTO shop_product VALUES (3, 'pi', 3.14159, '2026-01-01 00:00:00', 1, NULL)"); // does not fit numeric(10,2)
            s.execute("INSERT INTO shop_category VALUES (8, 'TOOLS')");
            s.execute("CREATE TABLE shop_tag (id integer PRIMARY KEY, name text)");        // no such table in PostgreSQL
        }
        String schema = appSchema();
        String q = "\"" + schema + "\"";
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE UNIQUE INDEX shop_category_name_upper ON " + q + ".shop_category (name)"); // fine: SQLite's names are distinct
            s.execute("ALTER TABLE " + q + ".shop_category ADD COLUMN slug varchar(50) NOT NULL");     // SQLite cannot fill it
        }
        List<Problem> errors = plan(f, schema).errors();
        assertTrue(errors.stream().anyMatch(p -> p.message().contains("has no column colour")), errors.toString());
        assertTrue(errors.stream().anyMatch(p -> p.message().contains("has no table shop_tag")), errors.toString());
        assertTrue(errors.stream().anyMatch(p -> p.message().contains("slug") && p.message().contains("NOT NULL without a default")), errors.toString());
        assertEquals(3, errors.size(), "the structural errors stop the value checks of those tables: " + errors);
        ReplicatorException refused = assertThrows(ReplicatorException.class, () -> snapshot(f, schema, true));
        assertEquals(ExitCode.DATA_LOSS, refused.exitCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("colour"), refused.getMessage());
        assertEquals("1", value("SELECT count(*) FROM " + q + ".django_migrations"), "nothing written, not even with --drop: the application's row is there");

        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + q + ".shop_category DROP COLUMN slug");
            s.execute("ALTER TABLE " + q + ".shop_product ADD COLUMN colour text");
            s.execute("CREATE TABLE " + q + ".shop_tag (id integer PRIMARY KEY, name text NOT NULL)");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute("INSERT INTO shop_tag VALUES (1, NULL), (2, 'red'), (3, 'red')");
        }
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE UNIQUE INDEX shop_tag_name_key ON " + q + ".shop_tag (name)");
        }
        errors = plan(f, schema).errors();
        assertTrue(errors.stream().anyMatch(p -> "price".equals(p.column()) && p.message().contains("id=3") && p.message().contains("3.14159")), errors.toString());
        assertTrue(errors.stream().anyMatch(p -> "name".equals(p.column()) && p.message().contains("NULL")), errors.toString());
        assertTrue(errors.stream().anyMatch(p -> p.message().contains("shop_tag_name_key")), "'red' twice: " + errors);
        assertEquals(3, errors.size(), errors.toString());
        // the snapshot converts each value as it copies: the first that does not fit stops it, naming the row
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> snapshot(f, schema, true));
        assertEquals(ExitCode.DATA_LOSS, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("3.14159") || e.getMessage().contains("shop_tag"), e.getMessage());
        assertEquals("0", value("SELECT count(*) FROM " + q + ".shop_product"), "a failed run leaves the tables it filled empty");
    }
}

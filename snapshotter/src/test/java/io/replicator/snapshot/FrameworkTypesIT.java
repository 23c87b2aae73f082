package io.replicator.snapshot;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Types as the application's framework makes them on PostgreSQL, recognized from its migration tables, each copy
 * still checked value by value (verify equal).
 */
class FrameworkTypesIT {
    @TempDir
    Path dir;

    @Test
    void djangoDatetimeIsTimestamptzItsJsonFieldJsonbAndItsUuidFieldUuid() throws Exception {
        Path f = SqliteFiles.create(dir, "django.db",
                "CREATE TABLE django_migrations (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL, name varchar(255) NOT NULL,"
                        + " applied datetime NOT NULL)",
                "CREATE TABLE shop_customer (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, created_at datetime NOT NULL, is_active bool NOT NULL,"
                        + " profile text NOT NULL CHECK ((JSON_VALID(\"profile\") OR \"profile\" IS NULL)), external_id char(32) NOT NULL UNIQUE)",
                "CREATE TABLE shop_token (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, token char(32) NOT NULL)",
                "INSERT INTO shop_token (token) VALUES ('0123456789abcdef0123456789ABCDEF')",
                "INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0001_initial', '2026-11-29 20:21:11.123456')",
                "INSERT INTO shop_customer VALUES (1, '2026-11-29 20:21:11.123456', 1, '{\"b\": 1, \"a\": [true, null]}', '0123456789abcdef0123456789abcdef'),"
                        + " (2, '2026-01-01 00:00:00', 0, '{}', 'ffffffffffffffffffffffffffffffff')");
        String schema = TestPostgres.freshSchema("fw_django");
        Snap.snapshot(f, schema);
        assertEquals("timestamp with time zone", type(schema, "shop_customer", "created_at"));
        assertEquals("jsonb", type(schema, "shop_customer", "profile"));
        assertEquals("boolean", type(schema, "shop_customer", "is_active"));
        assertEquals("uuid", type(schema, "shop_customer", "external_id"));
        assertEquals("01234567-89ab-cdef-0123-456789abcdef", value(schema, "SELECT external_id::text FROM \"" + schema + "\".shop_customer WHERE id = 1"));
        assertEquals("character varying(32)", type(schema, "shop_token", "token"), "an uppercase hex value would not come back from uuid: kept as text");
        assertEquals("2026-11-29T20:21:11.123456Z", value(schema, "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                + " FROM \"" + schema + "\".shop_customer WHERE id = 1"), "SQLite's text is UTC");
        assertTrue(Snap.verify(f, schema).equal());
    }

    @Test
    void aTableReplannedDuringTheCopyKeepsItsFrameworkTypesAndTheKeysToIt() throws Exception {
        // orders.total is declared NUMERIC(12, 4) but holds a REAL that does not fit: the copy profiles the table and
        // copies it again. Its GUID key must still be uuid, or order_lines.order_id (uuid) can no longer reference it.
        Path f = SqliteFiles.create(dir, "sa.db",
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
                "INSERT INTO alembic_version VALUES ('0001')",
                "CREATE TABLE orders (id CHAR(32) NOT NULL, placed_at DATETIME NOT NULL, total NUMERIC(12, 4) NOT NULL, doc JSON NOT NULL,"
                        + " bad_doc JSON, PRIMARY KEY (id))",
                "CREATE TABLE order_lines (id INTEGER NOT NULL, order_id CHAR(32) NOT NULL, PRIMARY KEY (id),"
                        + " FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE CASCADE)",
                "INSERT INTO orders VALUES ('33098da9f22e4b2a91f9ba6b0335b8be', '2026-11-29 20:21:11.123456', 251720.19189999998,"
                        + " '{\"b\": 1, \"b\": 2.50}', '{not json')",
                "INSERT INTO order_lines VALUES (1, '33098da9f22e4b2a91f9ba6b0335b8be')");
        String schema = TestPostgres.freshSchema("fw_replan");
        Snap.snapshot(f, schema);
        assertEquals("numeric", type(schema, "orders", "total"), "re-planned from the data");
        assertEquals("uuid", type(schema, "orders", "id"), "the framework's type survives the re-plan");
        assertEquals("uuid", type(schema, "order_lines", "order_id"));
        assertEquals("json", type(schema, "orders", "doc"), "SQLAlchemy's JSON on PostgreSQL");
        assertEquals("{\"b\": 1, \"b\": 2.50}", value(schema, "SELECT doc::text FROM \"" + schema + "\".orders"), "json keeps the text as written");
        assertEquals("text", type(schema, "orders", "bad_doc"), "not JSON: neither json nor jsonb can hold it");
        assertEquals("1", value(schema, "SELECT count(*) FROM pg_constraint WHERE conrelid = '\"" + schema + "\".order_lines'::regclass AND contype = 'f'"),
                "the foreign key to the re-planned table is created");
        assertTrue(Snap.verify(f, schema).equal());
    }

    @Test
    void laravelTinyint1IsBoolean() throws Exception {
        Path f = SqliteFiles.create(dir, "laravel.db",
                "CREATE TABLE migrations (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, migration varchar NOT NULL, batch integer NOT NULL)",
                "CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, is_admin tinyint(1) NOT NULL DEFAULT '0')",
                "INSERT INTO users (is_admin) VALUES (0), (1)");
        String schema = TestPostgres.freshSchema("fw_laravel");
        Snap.snapshot(f, schema);
        assertEquals("boolean", type(schema, "users", "is_admin"));
        assertTrue(Snap.verify(f, schema).equal());
    }

    @Test
    void withoutAFrameworkTheGenericRuleStands() throws Exception {
        Path f = SqliteFiles.create(dir, "plain.db", "CREATE TABLE t (id integer PRIMARY KEY, at datetime, flag tinyint(1))",
                "INSERT INTO t VALUES (1, '2026-11-29 20:21:11', 7)");
        String schema = TestPostgres.freshSchema("fw_none");
        Snap.snapshot(f, schema);
        assertEquals("timestamp without time zone", type(schema, "t", "at"));
        assertEquals("smallint", type(schema, "t", "flag"));
    }

    private static String type(String schema, String table, String column) throws Exception {
        return value(schema, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"" + schema + "\"." + table
                + "'::regclass AND attname = '" + column + "'");
    }

    private static String value(String schema, String sql) throws Exception {
        try (Connection c = TestPostgres.connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}

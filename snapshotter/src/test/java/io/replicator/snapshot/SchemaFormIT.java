package io.replicator.snapshot;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The copy's keys and constraints in the form the application's framework makes on PostgreSQL: declared names kept,
 * unnamed ones under PostgreSQL's own default names, UNIQUE constraints NOT DEFERRABLE (so they can arbitrate
 * {@code INSERT ... ON CONFLICT}), foreign keys deferred as declared (and as Django always makes them).
 */
class SchemaFormIT {
    @TempDir
    Path dir;

    private static final String[] TABLES = {
            "CREATE TABLE parent (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, slug varchar(50) NOT NULL UNIQUE,"
                    + " CONSTRAINT parent_slug_len CHECK (length(slug) > 0))",
            "CREATE TABLE child (id integer PRIMARY KEY, parent_id bigint NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED,"
                    + " other_id bigint NULL REFERENCES parent (id), a int, b int, CONSTRAINT child_a_b_uniq UNIQUE (a, b), CHECK (a >= 0))",
            "CREATE UNIQUE INDEX child_b_uniq ON child (b)",
            "CREATE TABLE item (code text, n int, CONSTRAINT item_pk PRIMARY KEY (code, n)) WITHOUT ROWID",
            "INSERT INTO parent (slug) VALUES ('a'), ('b')",
            "INSERT INTO child VALUES (1, 1, 2, 0, 0), (2, 2, NULL, 1, 1)"};

    @Test
    void namesDeferralAndUniquesAsDeclared() throws Exception {
        Path f = SqliteFiles.create(dir, "plain.db", TABLES);
        String schema = TestPostgres.freshSchema("form_plain");
        Snap.snapshot(f, schema);
        Map<String, String> c = constraints(schema);
        assertEquals("p", c.get("parent.parent_pkey"), c.toString());
        assertEquals("u not deferrable", c.get("parent.parent_slug_key"), c.toString());
        assertEquals("c", c.get("parent.parent_slug_len"), "a declared CHECK name is kept: " + c);
        assertEquals("u not deferrable", c.get("child.child_a_b_uniq"), "a declared UNIQUE name is kept: " + c);
        assertEquals("c", c.get("child.child_a_check"), "an unnamed CHECK gets PostgreSQL's default name: " + c);
        assertEquals("f deferrable initially deferred", c.get("child.child_parent_id_fkey"), c.toString());
        assertEquals("f not deferrable", c.get("child.child_other_id_fkey"), c.toString());
        assertEquals("p", c.get("item.item_pk"), "a declared primary key name is kept: " + c);
        assertTrue(uniqueIndexWithoutConstraint(schema, "child_b_uniq"), "CREATE UNIQUE INDEX stays a unique index outside Django");
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
            s.execute("INSERT INTO \"" + schema + "\".parent (slug) VALUES ('a') ON CONFLICT (slug) DO NOTHING");
            s.execute("INSERT INTO \"" + schema + "\".child (id, a, b) VALUES (9, 0, 0) ON CONFLICT (a, b) DO NOTHING");
            s.execute("INSERT INTO \"" + schema + "\".child (id, a, b) VALUES (9, 7, 1) ON CONFLICT (b) DO NOTHING");
        }
        assertTrue(Snap.verify(f, schema).equal());
    }

    @Test
    void aDjangoFileGetsDeferredForeignKeysAndUniqueConstraintsForItsIndexes() throws Exception {
        String[] django = new String[TABLES.length + 1];
        django[0] = "CREATE TABLE django_migrations (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL,"
                + " name varchar(255) NOT NULL, applied datetime NOT NULL)";
        System.arraycopy(TABLES, 0, django, 1, TABLES.length);
        Path f = SqliteFiles.create(dir, "django.db", django);
        String schema = TestPostgres.freshSchema("form_django");
        Snap.snapshot(f, schema);
        Map<String, String> c = constraints(schema);
        assertEquals("f deferrable initially deferred", c.get("child.child_other_id_fkey"), "Django's keys are always deferred: " + c);
        assertEquals("u not deferrable", c.get("child.child_b_uniq"), "Django makes its unique indexes constraints: " + c);
    }

    /** "table.constraint" → kind and deferral, e.g. "u not deferrable", "f deferrable initially deferred". */
    private static Map<String, String> constraints(String schema) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT cl.relname, con.conname, con.contype, con.condeferrable, con.condeferred FROM pg_constraint con"
                        + " JOIN pg_class cl ON cl.oid = con.conrelid WHERE con.connamespace = '\"" + schema + "\"'::regnamespace AND con.contype <> 'n'")) {
            while (rs.next()) {
                String kind = rs.getString(3);
                String how = kind.equals("u") || kind.equals("f")
                        ? kind + (rs.getBoolean(4) ? " deferrable" + (rs.getBoolean(5) ? " initially deferred" : " initially immediate") : " not deferrable")
                        : kind;
                out.put(rs.getString(1) + "." + rs.getString(2), how);
            }
        }
        return out;
    }

    private static boolean uniqueIndexWithoutConstraint(String schema, String index) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT i.indisunique, EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid) FROM pg_index i"
                        + " WHERE i.indexrelid = '\"" + schema + "\".\"" + index + "\"'::regclass")) {
            return rs.next() && rs.getBoolean(1) && !rs.getBoolean(2);
        }
    }
}

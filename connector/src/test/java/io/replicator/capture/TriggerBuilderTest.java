package io.replicator.capture;

import io.replicator.core.model.SqliteTable;
import io.replicator.translate.schema.SchemaReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The capture triggers as SQL text, and what they log when run by a real SQLite (in memory): the right key,
 * with its storage class, for INSERT, UPDATE (the old key too when the key changes) and DELETE, and the rows an
 * {@code INSERT OR REPLACE} deletes without firing a DELETE trigger.
 */
class TriggerBuilderTest {
    private static final String LOG = CaptureSchema.CHANGELOG;

    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        c = DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private void exec(String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    private SqliteTable table(String name) {
        return SchemaReader.read(c).tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** Creates {@code ddl}, the changelog and the table's triggers keyed as {@code install} keys it. */
    private SqliteTable captured(String name, String ddl) throws SQLException {
        exec(ddl, CaptureSchema.createChangelog());
        SqliteTable t = table(name);
        TriggerBuilder.Key key = CaptureRefresh.keyOf(c, t);
        for (String sql : TriggerBuilder.create(t, key, CaptureRefresh.rowidName(t))) exec(sql);
        return t;
    }

    /** The changelog as "tbl op k1[:type] k2[:type]", in seq order; then emptied. */
    private List<String> drain() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tbl, op, k1, typeof(k1), k2, typeof(k2), k3 FROM " + LOG + " ORDER BY seq")) {
            while (rs.next()) {
                StringBuilder b = new StringBuilder(rs.getString(1)).append(' ').append(rs.getString(2));
                for (int i = 3; i <= 5; i += 2) {
                    if (!"null".equals(rs.getString(i + 1))) b.append(' ').append(rs.getString(i)).append(':').append(rs.getString(i + 1));
                }
                assertNull(rs.getObject(7), "no key column beyond the key's width is written");
                out.add(b.toString());
            }
        }
        exec("DELETE FROM " + LOG);
        return out;
    }

    // ---- SQL text ----

    @Test
    void rowidTableLogsTheRowidWithoutCallingAnyFunction() throws SQLException {
        exec("CREATE TABLE notes (body TEXT, n INT)");
        List<String> sql = TriggerBuilder.create(table("notes"), new TriggerBuilder.Key(TriggerBuilder.Key.ROWID, List.of("rowid")), "rowid");
        assertEquals(List.of(
                "CREATE TRIGGER \"_replicator_ai_notes\" AFTER INSERT ON \"notes\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                        + " VALUES ('notes', 'I', NEW.\"rowid\"); END",
                "CREATE TRIGGER \"_replicator_au_notes\" AFTER UPDATE ON \"notes\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                        + " SELECT 'notes', 'D', OLD.\"rowid\" WHERE OLD.\"rowid\" IS NOT NEW.\"rowid\"; INSERT INTO _replicator_changelog"
                        + " (tbl, op, k1) VALUES ('notes', 'U', NEW.\"rowid\"); END",
                "CREATE TRIGGER \"_replicator_ad_notes\" AFTER DELETE ON \"notes\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                        + " VALUES ('notes', 'D', OLD.\"rowid\"); END"), sql);
    }

    @Test
    void rowidShadowedByAColumnIsSelectedByAnotherAlias() throws SQLException {
        exec("CREATE TABLE odd (rowid TEXT, v INT)");
        SqliteTable t = table("odd");
        assertEquals("_rowid_", CaptureRefresh.rowidName(t));
        String ai = TriggerBuilder.create(t, CaptureRefresh.keyOf(c, t), CaptureRefresh.rowidName(t)).get(0);
        assertTrue(ai.endsWith("VALUES ('odd', 'I', NEW.\"_rowid_\"); END"), ai);
    }

    @Test
    void integerPrimaryKeyWithAUniqueColumnAlsoGetsBeforeTriggers() throws SQLException {
        exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INT)");
        SqliteTable t = table("items");
        List<String> sql = TriggerBuilder.create(t, new TriggerBuilder.Key(TriggerBuilder.Key.PRIMARY_KEY, List.of("id")), "rowid");
        assertEquals(5, sql.size());
        assertEquals("CREATE TRIGGER \"_replicator_ai_items\" AFTER INSERT ON \"items\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                + " VALUES ('items', 'I', NEW.\"id\"); END", sql.get(0));
        assertEquals("CREATE TRIGGER \"_replicator_bi_items\" BEFORE INSERT ON \"items\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                + " SELECT 'items', 'R', \"id\" FROM \"items\" WHERE \"name\" = NEW.\"name\"; END", sql.get(3));
        assertEquals("CREATE TRIGGER \"_replicator_bu_items\" BEFORE UPDATE ON \"items\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                + " SELECT 'items', 'R', \"id\" FROM \"items\" WHERE \"name\" = NEW.\"name\" AND NOT (\"id\" IS OLD.\"id\"); END", sql.get(4));
    }

    @Test
    void compositeKeyFillsOneChangelogColumnPerKeyColumn() throws SQLException {
        exec("CREATE TABLE pairs (a TEXT, b INT, v TEXT, PRIMARY KEY (a, b))");
        List<String> sql = TriggerBuilder.create(table("pairs"), new TriggerBuilder.Key(TriggerBuilder.Key.PRIMARY_KEY, List.of("a", "b")), "rowid");
        assertEquals(3, sql.size(), "the primary key's own index needs no BEFORE trigger");
        assertEquals("CREATE TRIGGER \"_replicator_au_pairs\" AFTER UPDATE ON \"pairs\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1, k2)"
                + " SELECT 'pairs', 'D', OLD.\"a\", OLD.\"b\" WHERE OLD.\"a\" IS NOT NEW.\"a\" OR OLD.\"b\" IS NOT NEW.\"b\"; INSERT INTO"
                + " _replicator_changelog (tbl, op, k1, k2) VALUES ('pairs', 'U', NEW.\"a\", NEW.\"b\"); END", sql.get(1));
    }

    @Test
    void withoutRowidTableIsKeyedByItsPrimaryKey() throws SQLException {
        exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
        SqliteTable t = table("kv");
        TriggerBuilder.Key key = CaptureRefresh.keyOf(c, t);
        assertEquals(new TriggerBuilder.Key(TriggerBuilder.Key.PRIMARY_KEY, List.of("k")), key);
        String ad = TriggerBuilder.create(t, key, CaptureRefresh.rowidName(t)).get(2);
        assertEquals("CREATE TRIGGER \"_replicator_ad_kv\" AFTER DELETE ON \"kv\" BEGIN INSERT INTO _replicator_changelog (tbl, op, k1)"
                + " VALUES ('kv', 'D', OLD.\"k\"); END", ad);
    }

    @Test
    void namesAreQuotedAsIdentifiersAndAsLiterals() throws SQLException {
        exec("CREATE TABLE \"o'dd \"\"t\"\"\" (\"my \"\"id\"\"\" INTEGER PRIMARY KEY, \"it's\" TEXT UNIQUE)");
        SqliteTable t = table("o'dd \"t\"");
        List<String> sql = TriggerBuilder.create(t, CaptureRefresh.keyOf(c, t), CaptureRefresh.rowidName(t));
        assertEquals("CREATE TRIGGER \"_replicator_ai_o'dd \"\"t\"\"\" AFTER INSERT ON \"o'dd \"\"t\"\"\" BEGIN INSERT INTO _replicator_changelog"
                + " (tbl, op, k1) VALUES ('o''dd \"t\"', 'I', NEW.\"my \"\"id\"\"\"); END", sql.get(0));
        assertTrue(sql.get(3).contains("WHERE \"it's\" = NEW.\"it's\""), sql.get(3));
        assertEquals("DROP TRIGGER IF EXISTS \"_replicator_bu_o'dd \"\"t\"\"\"", TriggerBuilder.dropAll("o'dd \"t\"").get(4));
    }

    // ---- run by SQLite ----

    @Test
    void rowidTableLogsInsertUpdateRowidChangeAndDelete() throws SQLException {
        captured("notes", "CREATE TABLE notes (body TEXT, n INT)");
        exec("INSERT INTO notes (body, n) VALUES ('a', 1)");
        assertEquals(List.of("notes I 1:integer"), drain());
        exec("UPDATE notes SET body = 'b'");
        assertEquals(List.of("notes U 1:integer"), drain(), "an update that keeps the key logs it once");
        exec("UPDATE notes SET rowid = 10");
        assertEquals(List.of("notes D 1:integer", "notes U 10:integer"), drain(), "the old key is logged as gone");
        exec("DELETE FROM notes");
        assertEquals(List.of("notes D 10:integer"), drain());
    }

    @Test
    void integerPrimaryKeyTableLogsKeysAndRowsReplacedByAUniqueValue() throws SQLException {
        captured("items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INT)");
        exec("INSERT INTO items VALUES (1, 'a', 5)");
        assertEquals(List.of("items I 1:integer"), drain());
        exec("INSERT OR REPLACE INTO items VALUES (2, 'a', 6)");
        assertEquals(List.of("items R 1:integer", "items I 2:integer"), drain(),
                "row 1, deleted by the REPLACE without a DELETE trigger, is logged in advance");
        exec("UPDATE items SET qty = 7 WHERE id = 2");
        assertEquals(List.of("items U 2:integer"), drain(), "a row never matches itself in the BEFORE UPDATE trigger");
        exec("UPDATE items SET id = 5 WHERE id = 2");
        assertEquals(List.of("items D 2:integer", "items U 5:integer"), drain());
        exec("DELETE FROM items WHERE id = 5");
        assertEquals(List.of("items D 5:integer"), drain());
    }

    @Test
    void compositeKeyIsLoggedWholeAndWithItsStorageClasses() throws SQLException {
        captured("pairs", "CREATE TABLE pairs (a TEXT, b INT, v TEXT, PRIMARY KEY (a, b))");
        exec("INSERT INTO pairs VALUES ('x', 1, 'one')");
        assertEquals(List.of("pairs I x:text 1:integer"), drain());
        exec("UPDATE pairs SET v = 'uno'");
        assertEquals(List.of("pairs U x:text 1:integer"), drain());
        exec("UPDATE pairs SET b = 2");
        assertEquals(List.of("pairs D x:text 1:integer", "pairs U x:text 2:integer"), drain(), "one key column changed: the whole old key is logged");
        exec("DELETE FROM pairs");
        assertEquals(List.of("pairs D x:text 2:integer"), drain());
    }

    @Test
    void withoutRowidTableLogsItsTextKey() throws SQLException {
        captured("kv", "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
        exec("INSERT INTO kv VALUES ('a', x'00')");
        exec("UPDATE kv SET k = 'b'");
        exec("DELETE FROM kv");
        assertEquals(List.of("kv I a:text", "kv D a:text", "kv U b:text", "kv D b:text"), drain());
    }

    @Test
    void quotedNamesWorkInSqlite() throws SQLException {
        captured("o'dd \"t\"", "CREATE TABLE \"o'dd \"\"t\"\"\" (\"my \"\"id\"\"\" INTEGER PRIMARY KEY, \"it's\" TEXT UNIQUE)");
        exec("INSERT INTO \"o'dd \"\"t\"\"\" VALUES (3, 'x')");
        exec("REPLACE INTO \"o'dd \"\"t\"\"\" VALUES (4, 'x')");
        exec("DELETE FROM \"o'dd \"\"t\"\"\"");
        assertEquals(List.of("o'dd \"t\" I 3:integer", "o'dd \"t\" R 3:integer", "o'dd \"t\" I 4:integer", "o'dd \"t\" D 4:integer"), drain());
    }

    @Test
    void dropAllRemovesEveryTriggerItCreated() throws SQLException {
        captured("items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INT)");
        for (String sql : TriggerBuilder.dropAll("items")) exec(sql);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        exec("INSERT INTO items VALUES (1, 'a', 1)", "DELETE FROM items");
        assertEquals(List.of(), drain());
    }
}

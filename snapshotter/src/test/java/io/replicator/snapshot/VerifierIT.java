package io.replicator.snapshot;

import io.replicator.verify.*;

import io.replicator.core.codec.JsonbText;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.core.sqlite.SqliteSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checksum comparison: PostgreSQL digests its rows itself, this process digests SQLite's the same way. Equal
 * copies compare equal whatever the key kind (integer ranges, hash buckets of text and composite keys, rowid), and
 * each kind of damage done in PostgreSQL afterwards is found and named by key, with nothing else reported.
 */
class VerifierIT {
    @TempDir
    Path dir;

    private static final int ROWS = 20_000;

    private Path build() throws Exception {
        Path f = SqliteFiles.create(dir, "v.db",
                "CREATE TABLE n (id INTEGER PRIMARY KEY, r REAL, price NUMERIC(10,2), at DATETIME, day DATE, doc JSON, b BLOB, flag BOOLEAN, s TEXT)",
                "CREATE TABLE k (code TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID",
                "CREATE TABLE c (a INTEGER, b TEXT, v REAL, PRIMARY KEY (a, b))",
                "CREATE TABLE nokey (x TEXT, y INTEGER)");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            c.setAutoCommit(false);
            try (PreparedStatement n = c.prepareStatement("INSERT INTO n VALUES (?,?,?,?,?,?,?,?,?)");
                 PreparedStatement k = c.prepareStatement("INSERT INTO k VALUES (?,?)");
                 PreparedStatement cc = c.prepareStatement("INSERT INTO c VALUES (?,?,?)");
                 PreparedStatement nk = c.prepareStatement("INSERT INTO nokey VALUES (?,?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    n.setLong(1, i * 3L - 5000);
                    if (i % 7 == 0) n.setNull(2, java.sql.Types.DOUBLE); else n.setDouble(2, i % 11 == 0 ? 0.0 : i / 3.0);
                    n.setString(3, (i % 100) + "." + (i % 10) + "0");
                    n.setString(4, "2024-0" + (1 + i % 9) + "-1" + (i % 10) + " 12:34:5" + (i % 10) + (i % 3 == 0 ? ".123456" : ""));
                    n.setString(5, "1999-12-" + (10 + i % 20));
                    n.setString(6, "{ \"b\": [1, 2.50, {\"z\": null, \"a\": \"é\\n\\u0001\"}], \"a\": " + i + ", \"aa\": 1e2, \"n\": -0.0 }");
                    n.setBytes(7, new byte[] {(byte) i, 0, (byte) (i >> 8)});
                    n.setInt(8, i % 2);
                    n.setString(9, i % 13 == 0 ? null : "text " + i + " ü 😀 | # :");
                    n.executeUpdate();
                    k.setString(1, "code-" + i + (i % 5 == 0 ? "-ß" : ""));
                    k.setLong(2, i);
                    k.executeUpdate();
                    cc.setLong(1, i % 50);
                    cc.setString(2, "b" + i);
                    cc.setDouble(3, i * 1.1);
                    cc.executeUpdate();
                    nk.setString(1, "x" + (i % 10));
                    nk.setLong(2, i);
                    nk.executeUpdate();
                }
            }
            c.commit();
        }
        return f;
    }

    private String snapshot(Path f) {
        String schema = TestPostgres.freshSchema("verifier");
        Snap.snapshot(f, schema, io.replicator.core.sqlite.JournalPolicy.REFUSE,
                List.of("n.doc=jsonb"), io.replicator.translate.types.ConflictPolicy.REFUSE, false);
        return schema;
    }

    private static VerifyReport.TableResult table(VerifyReport r, String name) {
        return r.tables().stream().filter(t -> t.source().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void equalCopiesAreEqualAndEachDamageIsNamed() throws Exception {
        Path f = build();
        String schema = snapshot(f);
        VerifyReport ok = Snap.verify(f, schema);
        assertTrue(ok.equal(), () -> "fresh copy should be equal: " + ok);
        for (VerifyReport.TableResult t : ok.tables()) {
            assertEquals(ROWS, t.sqliteRows(), t.source());
            assertTrue(t.chunks() >= 1, t.source());
        }

        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
            s.execute("SET search_path = " + schema);
            // not a difference: the same jsonb written with other spacing and key order
            s.execute("UPDATE n SET doc = '{\"aa\":100,\"a\":  " + 1675 + ", \"n\":0.0,\"b\":[1,2.50,{\"a\":\"é\\n\\u0001\",\"z\":null}]}'::jsonb WHERE id = 25");
            // differences
            s.execute("UPDATE n SET r = r + 1e-12 WHERE id = " + (100 * 3 - 5000));                      // one REAL off
            s.execute("UPDATE n SET r = '-0.0' WHERE id = " + (11 * 3 - 5000));                           // 0.0 became -0.0
            s.execute("UPDATE n SET doc = jsonb_set(doc, '{a}', '7') WHERE id = " + (400 * 3 - 5000));    // jsonb value
            s.execute("DELETE FROM n WHERE id = " + (500 * 3 - 5000));                                    // missing
            s.execute("INSERT INTO n (id) VALUES (999999)");                                              // extra
            s.execute("UPDATE k SET v = -1 WHERE code = 'code-601'");
            s.execute("DELETE FROM c WHERE a = 1 AND b = 'b701'");
            s.execute("UPDATE nokey SET x = 'changed' WHERE y = 800");
        }
        VerifyReport bad = Snap.verify(f, schema);
        assertFalse(bad.equal());
        VerifyReport.TableResult n = table(bad, "n");
        Map<String, String> kinds = n.differences().stream().collect(Collectors.toMap(VerifyReport.Difference::key, VerifyReport.Difference::kind));
        assertEquals(Map.of("id=" + (100 * 3 - 5000), "changed", "id=" + (11 * 3 - 5000), "changed", "id=" + (400 * 3 - 5000), "changed",
                "id=" + (500 * 3 - 5000), "missing", "id=999999", "extra"), kinds, () -> n.differences().toString());
        assertEquals(5, n.differingKeys());
        assertEquals(List.of("code='code-601'"), keys(table(bad, "k")));
        assertEquals(List.of("a=1, b='b701'"), keys(table(bad, "c")));
        assertEquals(1, table(bad, "nokey").differingKeys());
        VerifyReport.Difference d = table(bad, "k").differences().get(0);
        assertTrue(d.sqlite().contains("v=601") && d.postgres().contains("v=-1"), d::toString);
    }

    @Test
    void rowsChangedAfterTheHeldPositionAreLeftOutOnBothSides() throws Exception {
        Path f = build();
        String schema = snapshot(f);
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
            s.execute("UPDATE " + schema + ".k SET v = -1 WHERE code = 'code-3'");
            s.execute("DELETE FROM " + schema + ".n WHERE id = " + (9 * 3 - 5000));
        }
        Verifier.Exclusions ex = sq -> Map.of(
                "k", List.of(List.of(SqliteValue.text("code-3"))),
                "n", List.of(List.of(SqliteValue.integer(9 * 3 - 5000))));
        VerifyReport r = new Verifier(SqliteSource.of(f.toString()), TestPostgres.target(), schema, 10, ex, 0).run();
        assertTrue(r.equal(), r::toString);
        assertEquals(1, table(r, "k").notCompared());
        assertEquals(1, table(r, "n").notCompared());
        assertEquals(ROWS - 1, table(r, "n").sqliteRows());
    }

    @Test
    void aSampleComparesCountsAndSomeChunks() throws Exception {
        Path f = build();
        String schema = snapshot(f);
        VerifyReport r = new Verifier(SqliteSource.of(f.toString()), TestPostgres.target(), schema, 10, c -> Map.of(), 1).run();
        assertTrue(r.equal(), r::toString);
        VerifyReport.TableResult n = table(r, "n");
        assertNotNull(n.sample(), "n has an integer key and more rows than one chunk: sampled");
        assertEquals(1, n.chunks());
        assertEquals(ROWS, n.sqliteRows());
        assertNull(table(r, "k").sample(), "a text key is compared whole");
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
            s.execute("DELETE FROM " + schema + ".n WHERE id = " + (7 * 3 - 5000));
        }
        VerifyReport bad = new Verifier(SqliteSource.of(f.toString()), TestPostgres.target(), schema, 10, c -> Map.of(), 1).run();
        assertFalse(bad.equal(), "a missing row shows in the row counts even when its chunk is not sampled");
    }

    /** The jsonb text computed in Java is exactly PostgreSQL's, for spellings that move it. */
    @Test
    void jsonbTextMatchesPostgres() throws Exception {
        String[] docs = {"-0.0", "-0", "1e2", "1.50e1", "1E-2", "[1.0, -0.00e5, 0.1e-3]", "{\"b\":1,\"a\":2,\"aa\":{\"c\":[]}}",
                "\"\\u00e9\\/\\u0001\\u007f\\ud83d\\ude00\\t\\\"\\\\\"", "1e400", "{}", "[]", "\"\\u2028\"", "12345678901234567890123.5E-30",
                "{\"é\":1,\"z\":2,\"\\u00e9a\":3,\"Z\":[true,false,null]}", "  [ 1 , { \"x\" : \"y\" } ]  ", "123456789012345678901234567890",
                "-1.000E+3", "{\"\":0}"};
        try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement("SELECT ?::jsonb::text")) {
            for (String doc : docs) {
                ps.setString(1, doc);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertEquals(rs.getString(1), JsonbText.render(doc), doc);
                }
            }
        }
    }

    /** PostgreSQL's hashtextextended, reproduced here, for every tail length and some seeds, on multi-byte text. */
    @Test
    void hashMatchesPostgres() throws Exception {
        java.util.Random r = new java.util.Random(42);
        try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement("SELECT hashtextextended(?, ?)")) {
            for (int len = 0; len < 80; len++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < len; i++) sb.appendCodePoint(r.nextInt(10) == 0 ? 0x1F600 + r.nextInt(50) : r.nextInt(10) == 1 ? 0xE9 : 'a' + r.nextInt(26));
                for (long seed : new long[] {0, 1, -1, 0x7265706c69636131L}) {
                    ps.setString(1, sb.toString());
                    ps.setLong(2, seed);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(rs.getLong(1), io.replicator.core.codec.PgHash.hashBytesExtended(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), seed),
                                "length " + len + " seed " + seed);
                    }
                }
            }
        }
    }

    private static List<String> keys(VerifyReport.TableResult t) {
        return t.differences().stream().map(VerifyReport.Difference::key).toList();
    }
}

package io.replicator.snapshot;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Edge values round-trip: each value is read back from PostgreSQL and compared with what SQLite itself
 * holds (read independently through plain JDBC), not with what the converter produced.
 */
class EdgeValuesIT {
    @TempDir
    Path dir;

    private static final double[] REALS = {0.30000000000000004, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE, 12345.67, -3.14, 1e-310, 123456789.12345679};
    private static final long[] INTS = {Long.MAX_VALUE, Long.MIN_VALUE, 0, -1, 1L << 53, (1L << 53) + 1};
    private static final String[] TEXTS = {"", "plain", "4-byte 😀 𝄞", "ünïcödé", "quote ' and \" and \\", "tab\tnewline\n", "  spaces  "};

    private Path build() throws Exception {
        Path f = SqliteFiles.create(dir, "edge.db",
                "CREATE TABLE r (id INTEGER PRIMARY KEY, v REAL)",
                "CREATE TABLE i (id INTEGER PRIMARY KEY, v INTEGER)",
                "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                "CREATE TABLE b (id INTEGER PRIMARY KEY, v BLOB)",
                "CREATE TABLE s (id INTEGER PRIMARY KEY, flag BOOLEAN, price NUMERIC(10,2), at DATETIME, day DATE, doc JSON, name VARCHAR(5))");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO r (v) VALUES (?)")) {
                for (double d : REALS) { ps.setDouble(1, d); ps.executeUpdate(); }
                ps.setDouble(1, Double.NaN); // SQLite stores NaN as NULL
                ps.executeUpdate();
                ps.setNull(1, java.sql.Types.DOUBLE);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO i (v) VALUES (?)")) {
                for (long l : INTS) { ps.setLong(1, l); ps.executeUpdate(); }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                for (String s : TEXTS) { ps.setString(1, s); ps.executeUpdate(); }
                ps.setNull(1, java.sql.Types.VARCHAR);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO b (v) VALUES (?)")) {
                for (byte[] v : new byte[][] {new byte[0], {0}, {0, (byte) 0xFF, 0}, "abc".getBytes(StandardCharsets.UTF_8)}) {
                    ps.setBytes(1, v);
                    ps.executeUpdate();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO s VALUES (1, 1, 0.99, '2009-01-01 00:00:00', '2017-08-08', '{\"b\": [1, 2.50], \"a\": null}', 'abcde')");
                s.execute("INSERT INTO s VALUES (2, 0, 12345678.9, '2020-07-03T18:31:59.123456', '2000-02-29', '[]', '😀😀😀😀😀')");
                s.execute("INSERT INTO s VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL)");
            }
            c.commit();
        }
        return f;
    }

    @Test
    void everyEdgeValueArrivesUnchanged() throws Exception {
        Path f = build();
        String schema = TestPostgres.freshSchema("edge");
        Snap.snapshot(f, schema);
        assertTrue(Snap.verify(f, schema).equal());
        try (Connection sq = DriverManager.getConnection("jdbc:sqlite:" + f); Connection pg = TestPostgres.connect()) {
            assertEquals("double precision", columnType(pg, schema, "r", "v"), "REAL must never become float4");
            List<Object[]> a = rows(sq, "SELECT id, v FROM r ORDER BY id");
            List<Object[]> b = rows(pg, "SELECT id, v FROM \"" + schema + "\".r ORDER BY id");
            assertEquals(a.size(), b.size());
            for (int k = 0; k < a.size(); k++) {
                Object x = a.get(k)[1];
                Object y = b.get(k)[1];
                if (x == null) { assertNull(y, "row " + k); continue; }
                assertEquals(Double.doubleToRawLongBits(((Number) x).doubleValue()), Double.doubleToRawLongBits((Double) y), "REAL bits, row " + k + ": " + x);
            }
            assertEquals(rowsAsStrings(sq, "SELECT id, v FROM i ORDER BY id"), rowsAsStrings(pg, "SELECT id, v FROM \"" + schema + "\".i ORDER BY id"));
            assertEquals("bigint", columnType(pg, schema, "i", "v"));
            List<Object[]> ta = rows(sq, "SELECT id, v FROM t ORDER BY id");
            List<Object[]> tb = rows(pg, "SELECT id, v FROM \"" + schema + "\".t ORDER BY id");
            for (int k = 0; k < ta.size(); k++) assertEquals(ta.get(k)[1], tb.get(k)[1], "text row " + k + " (empty string and NULL stay distinct)");
            List<Object[]> ba = rows(sq, "SELECT id, v FROM b ORDER BY id");
            List<Object[]> bb = rows(pg, "SELECT id, v FROM \"" + schema + "\".b ORDER BY id");
            for (int k = 0; k < ba.size(); k++) assertArrayEquals((byte[]) ba.get(k)[1], (byte[]) bb.get(k)[1], "blob row " + k);

            assertEquals("boolean", columnType(pg, schema, "s", "flag"));
            assertEquals("numeric(10,2)", columnType(pg, schema, "s", "price"));
            assertEquals("timestamp without time zone", columnType(pg, schema, "s", "at"));
            assertEquals("date", columnType(pg, schema, "s", "day"));
            assertEquals("jsonb", columnType(pg, schema, "s", "doc"));
            assertEquals("character varying(5)", columnType(pg, schema, "s", "name"));
            try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("SELECT flag, price, at, day, doc::text, name FROM \"" + schema + "\".s ORDER BY id")) {
                rs.next();
                assertEquals(true, rs.getBoolean(1));
                assertEquals(0, new BigDecimal("0.99").compareTo(rs.getBigDecimal(2)));
                assertEquals(LocalDateTime.of(2009, 1, 1, 0, 0), rs.getObject(3, LocalDateTime.class));
                assertEquals(LocalDate.of(2017, 8, 8), rs.getObject(4, LocalDate.class));
                assertEquals("{\"a\": null, \"b\": [1, 2.50]}", rs.getString(5));
                assertEquals("abcde", rs.getString(6));
                rs.next();
                assertEquals(false, rs.getBoolean(1));
                assertEquals(0, new BigDecimal("12345678.9").compareTo(rs.getBigDecimal(2)));
                assertEquals(LocalDateTime.of(2020, 7, 3, 18, 31, 59, 123456000), rs.getObject(3, LocalDateTime.class));
                assertEquals("😀😀😀😀😀", rs.getString(6));
                rs.next();
                rs.getBoolean(1);
                assertTrue(rs.wasNull());
            }
        }
    }

    @Test
    void textWithNulIsRefusedNamingTheRowAndNothingOfTheTableRemains() throws Exception {
        Path f = SqliteFiles.create(dir, "nul.db",
                "CREATE TABLE ok (id INTEGER PRIMARY KEY, v TEXT)",
                "INSERT INTO ok VALUES (1, 'fine')",
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
                "INSERT INTO notes VALUES (1, 'a'), (7, CAST(x'610062' AS TEXT))");
        String schema = TestPostgres.freshSchema("edge");
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> Snap.snapshot(f, schema));
        assertEquals(ExitCode.DATA_LOSS, e.exitCode());
        assertTrue(e.getMessage().contains("notes.body") && e.getMessage().contains("id=7") && e.getMessage().contains("NUL"), e.getMessage());
        assertEquals(0, RealFilesIT.count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"),
                "a failed run leaves no table behind, not even the ones it completed");
        assertEquals("failed", string("SELECT status FROM replicator.snapshot_run WHERE target_schema = '" + schema + "'"));
        assertTrue(string("SELECT error FROM replicator.snapshot_run WHERE target_schema = '" + schema + "'").contains("notes.body"));
        ReplicatorException again = assertThrows(ReplicatorException.class, () -> Snap.snapshot(f, schema));
        assertEquals(ExitCode.DATA_LOSS, again.exitCode(), "a rerun after a clean failure starts afresh and meets the same value");
    }

    static String string(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String columnType(Connection pg, String schema, String table, String column) throws Exception {
        try (PreparedStatement ps = pg.prepareStatement("SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND a.attname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "column " + table + "." + column + " exists");
                return rs.getString(1);
            }
        }
    }

    private static List<Object[]> rows(Connection c, String sql) throws Exception {
        List<Object[]> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Object[] r = new Object[n];
                for (int i = 0; i < n; i++) r[i] = rs.getObject(i + 1);
                out.add(r);
            }
        }
        return out;
    }

    private static List<String> rowsAsStrings(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        for (Object[] r : rows(c, sql)) out.add(r[0] + "|" + r[1]);
        return out;
    }
}

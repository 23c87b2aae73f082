package io.replicator.core;

import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.PgBinaryRowWriter;
import io.replicator.core.codec.PgValueReader;
import io.replicator.core.testing.TestPostgres;
import io.replicator.core.types.PgType;
import io.replicator.core.types.PgType.Kind;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The column types applications' frameworks make, as PostgreSQL itself names, prints and stores them. */
class TargetTypesIT {

    @Test
    void formatTypeSpellingsParseToTheTypeTheyAre() throws Exception {
        String schema = TestPostgres.freshSchema("target_types");
        Map<String, PgType> expected = Map.of("a", PgType.withFraction(Kind.TIMESTAMP, 3), "b", PgType.withFraction(Kind.TIMESTAMPTZ, 0),
                "c", PgType.TIME, "d", PgType.VARCHAR, "e", PgType.varchar(12), "f", PgType.INTERVAL, "g", PgType.TIMESTAMP,
                "h", PgType.withFraction(Kind.TIME, 2));
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA \"" + schema + "\"");
            s.execute("CREATE TABLE \"" + schema + "\".t (a timestamp(3), b timestamptz(0), c time(6), d character varying, e varchar(12),"
                    + " f interval, g timestamp(6), h time(2), x character(10), y real, z integer[])");
            try (ResultSet rs = s.executeQuery("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"" + schema
                    + "\".t'::regclass AND attnum > 0 ORDER BY attnum")) {
                while (rs.next()) {
                    String col = rs.getString(1);
                    String printed = rs.getString(2);
                    if (expected.containsKey(col)) {
                        assertEquals(expected.get(col), PgType.parse(printed), printed);
                    } else {
                        ReplicatorException e = assertThrows(ReplicatorException.class, () -> PgType.parse(printed), printed);
                        assertTrue(e.getMessage().contains(printed), e.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void intervalsAreReadExactlyWithPostgresqlsOwnEquivalence() throws Exception {
        List<String> literals = List.of("1 mon 2 days 03:00:00", "1 year", "-1 year -2 mons +3 days -04:05:06.789", "00:00:00.000001",
                "-00:00:00.000001", "2562047788:00:54.775807", "-9223372036854775808 microseconds", "7702:35:27.252175", "0", "-1 days +02:03:00.5");
        try (Connection c = TestPostgres.connect(); PreparedStatement read = c.prepareStatement("SELECT ?::interval");
             PreparedStatement same = c.prepareStatement("SELECT ?::interval = CAST(? AS interval)")) {
            for (String literal : literals) {
                read.setString(1, literal);
                Duration d;
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    d = (Duration) PgValueReader.read(rs, 1, PgType.INTERVAL);
                }
                same.setString(1, literal);
                same.setString(2, Intervals.pgInput(d)); // as the sink binds it
                try (ResultSet rs = same.executeQuery()) {
                    rs.next();
                    assertTrue(rs.getBoolean(1), literal + " read as " + d + ", which PostgreSQL does not call equal");
                }
            }
        }
        assertEquals(Duration.ofDays(32).plusHours(3), read("1 mon 2 days 03:00:00"));
        assertEquals(Duration.ofDays(360), read("1 year"), "a year is 12 months of 30 days when intervals compare");
        assertEquals(Duration.ofDays(178_000_000L * 360), read("178000000 years"), "past 64 bits of microseconds, still exact");
    }

    @Test
    void anotherIntervalStyleIsRefusedNotMisread() throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("SET IntervalStyle = iso_8601");
            try (ResultSet rs = s.executeQuery("SELECT interval '1 mon 2 days'")) {
                rs.next();
                SQLException e = assertThrows(SQLException.class, () -> PgValueReader.read(rs, 1, PgType.INTERVAL));
                assertTrue(e.getMessage().contains("IntervalStyle") && e.getMessage().contains("P1M2D"), e.getMessage());
            }
        }
    }

    @Test
    void binaryCopyWritesMicrosecondsThatComeBackUnchanged() throws Exception {
        String schema = TestPostgres.freshSchema("target_types");
        long[] micros = {0, 1, -1, 27_729_327_252_175L, -2_592_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE};
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA \"" + schema + "\"");
            s.execute("CREATE TABLE \"" + schema + "\".t (id bigint, v interval)");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PgBinaryRowWriter w = new PgBinaryRowWriter(bytes, 64);
            w.writeHeader();
            for (int i = 0; i < micros.length; i++) {
                w.startRow(2);
                w.write(PgType.BIGINT, (long) i);
                w.write(PgType.INTERVAL, Intervals.ofMicros(micros[i]));
            }
            w.writeTrailer();
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY \"" + schema + "\".t FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(bytes.toByteArray()));
            List<Long> back = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT v, (extract(epoch FROM v) * 1000000)::bigint, v = (micros || ' microseconds')::interval"
                    + " FROM \"" + schema + "\".t JOIN unnest(ARRAY[" + join(micros) + "]::bigint[]) WITH ORDINALITY u(micros, n) ON n = id + 1"
                    + " ORDER BY id")) {
                while (rs.next()) {
                    back.add(Intervals.micros((Duration) PgValueReader.read(rs, 1, PgType.INTERVAL)));
                    assertEquals(back.get(back.size() - 1), rs.getLong(2));
                    assertTrue(rs.getBoolean(3));
                }
            }
            List<Long> sent = new ArrayList<>();
            for (long m : micros) sent.add(m);
            assertEquals(sent, back);
        }
    }

    private static String join(long[] v) {
        StringBuilder sb = new StringBuilder();
        for (long x : v) sb.append(sb.length() == 0 ? "" : ",").append(x);
        return sb.toString();
    }

    private static Duration read(String literal) throws Exception {
        try (Connection c = TestPostgres.connect(); PreparedStatement ps = c.prepareStatement("SELECT ?::interval")) {
            ps.setString(1, literal);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return (Duration) PgValueReader.read(rs, 1, PgType.INTERVAL);
            }
        }
    }
}

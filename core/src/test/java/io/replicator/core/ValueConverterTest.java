package io.replicator.core;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.Decimals;
import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.Utf8;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.types.PgType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueConverterTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void integersKeepEveryBitAndRespectNarrowRanges() throws Exception {
        assertEquals(Long.MAX_VALUE, ValueConverter.fromInteger(PgType.BIGINT, Long.MAX_VALUE));
        assertEquals(Long.MIN_VALUE, ValueConverter.fromInteger(PgType.BIGINT, Long.MIN_VALUE));
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.SMALLINT, 40000));
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.DOUBLE, (1L << 53) + 1));
        assertEquals((double) (1L << 53), ValueConverter.fromInteger(PgType.DOUBLE, 1L << 53));
        assertEquals(Boolean.TRUE, ValueConverter.fromInteger(PgType.BOOLEAN, 1));
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.BOOLEAN, 2));
    }

    @Test
    void realsAreBitExactInDoubleAndShortestExactInNumeric() throws Exception {
        double negZero = -0.0;
        Object v = ValueConverter.fromReal(PgType.DOUBLE, negZero);
        assertEquals(Double.doubleToRawLongBits(negZero), Double.doubleToRawLongBits((Double) v));
        assertEquals(new BigDecimal("0.99"), ValueConverter.fromReal(PgType.numeric(10, 2), 0.99));
        assertEquals(new BigDecimal("0.30000000000000004"), ValueConverter.fromReal(PgType.NUMERIC, 0.1 + 0.2));
        assertThrows(ConversionException.class, () -> ValueConverter.fromReal(PgType.numeric(10, 2), 12345.678));
        assertThrows(ConversionException.class, () -> ValueConverter.fromReal(PgType.NUMERIC, -0.0));
        assertEquals(Double.POSITIVE_INFINITY, ValueConverter.fromReal(PgType.NUMERIC, Double.POSITIVE_INFINITY));
        assertThrows(ConversionException.class, () -> ValueConverter.fromReal(PgType.BIGINT, 1.5));
        for (double d : new double[] {12345.67, 1e-310, Double.MAX_VALUE, Double.MIN_VALUE, 0.1, 123456789.123456789}) {
            assertEquals(d, Decimals.shortest(d).doubleValue(), "shortest form must read back as the same double: " + d);
        }
    }

    @Test
    void textMustBePostgresText() throws Exception {
        assertArrayEquals(utf8("a😀é"), ((ValueConverter.Text) ValueConverter.fromText(PgType.TEXT, utf8("a😀é"))).utf8());
        assertArrayEquals(new byte[0], ((ValueConverter.Text) ValueConverter.fromText(PgType.TEXT, new byte[0])).utf8());
        ConversionException nul = assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TEXT, new byte[] {'a', 0, 'b'}));
        assertTrue(nul.getMessage().contains("NUL"), nul.getMessage());
        ConversionException bad = assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TEXT, new byte[] {'f', (byte) 0x96, 'x'}));
        assertTrue(bad.getMessage().contains("0x96"), bad.getMessage());
        assertArrayEquals(new byte[] {'f', (byte) 0x96}, (byte[]) ValueConverter.fromText(PgType.BYTEA, new byte[] {'f', (byte) 0x96}));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.varchar(2), utf8("abc")));
        ValueConverter.fromText(PgType.varchar(2), utf8("😀😀")); // two characters, eight bytes
    }

    @Test
    void utf8ValidatorRejectsOverlongsSurrogatesAndTruncation() {
        assertEquals(-1, Utf8.firstInvalid(utf8("plain ascii")));
        assertEquals(0, Utf8.firstInvalid(new byte[] {(byte) 0xC0, (byte) 0x80}));             // overlong NUL
        assertEquals(0, Utf8.firstInvalid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})); // surrogate
        assertEquals(1, Utf8.firstInvalid(new byte[] {'a', (byte) 0xF0, (byte) 0x9F}));          // truncated
        assertEquals(0, Utf8.firstInvalid(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80})); // > U+10FFFF
    }

    @Test
    void datesAndTimesParseOnlyWhenExact() throws Exception {
        assertEquals(LocalDateTime.of(2009, 1, 1, 0, 0), ValueConverter.fromText(PgType.TIMESTAMP, utf8("2009-01-01 00:00:00")));
        assertEquals(LocalDateTime.of(2020, 7, 3, 18, 31, 59, 123456000), ValueConverter.fromText(PgType.TIMESTAMP, utf8("2020-07-03T18:31:59.123456")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TIMESTAMP, utf8("2020-07-03 18:31:59.1234567")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TIMESTAMP, utf8("2021-02-30 00:00:00")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TIMESTAMP, utf8("2021-02-03 00:00:00+02:00")));
        assertEquals(Instant.parse("2021-02-02T22:00:00Z"), ValueConverter.fromText(PgType.TIMESTAMPTZ, utf8("2021-02-03 00:00:00+02:00")));
        assertEquals(Instant.parse("2021-02-03T00:00:00Z"), ValueConverter.fromText(PgType.TIMESTAMPTZ, utf8("2021-02-03 00:00:00")));
        assertEquals(LocalDate.of(2017, 8, 8), ValueConverter.fromText(PgType.DATE, utf8("2017-08-08")));
        assertEquals(Instant.parse("2024-01-01T10:00:00Z"), ValueConverter.fromText(PgType.TIMESTAMPTZ, utf8("2024-01-01T10:00Z")));
        assertEquals(Instant.parse("2024-01-01T12:30:00Z"), ValueConverter.fromText(PgType.TIMESTAMPTZ, utf8("2024-01-01 10:00-02:30")));
        for (String bad : new String[] {"2024-1-01", "2024-01-01 1:00", "2024-01-01 25:00", "2024-01-01 10:00:00.", "2024-01-01 10:00+0200",
                "2024-01-01 10:00:00Zx", "0000-01-01", "2024-01-01 10:60", "2024-01-01X10:00", " 2024-01-01"}) {
            assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TIMESTAMPTZ, utf8(bad)), bad);
        }
    }

    @Test
    void timesOfDayParseOnlyWhenExact() throws Exception {
        assertEquals(LocalTime.of(10, 30), ValueConverter.fromText(PgType.TIME, utf8("10:30")));
        assertEquals(LocalTime.of(10, 30, 5), ValueConverter.fromText(PgType.TIME, utf8("10:30:05")));
        assertEquals(LocalTime.of(23, 59, 59, 999_999_000), ValueConverter.fromText(PgType.TIME, utf8("23:59:59.999999")));
        assertEquals(LocalTime.of(7, 0, 0, 500_000_000), ValueConverter.fromText(PgType.TIME, utf8("07:00:00.5")));
        for (String bad : new String[] {"noon", "7:00", "24:00:00", "10:60", "10:30:61", "10:30:00.1234567", "10:30:00.", "10:30:00Z",
                "10:30:00+02:00", "2024-01-01 10:30", " 10:30", "10:30 "}) {
            assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.TIME, utf8(bad)), bad);
        }
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.TIME, 37800), "seconds are no time of day SQLite's time() reads");
    }

    @Test
    void intervalFromDjangoMicrosecondsIsExact() throws Exception {
        assertEquals(Duration.ofDays(320).plusHours(22).plusMinutes(35).plusSeconds(27).plusNanos(252_175_000),
                ValueConverter.fromInteger(PgType.INTERVAL, 27_729_327_252_175L));
        assertEquals(Duration.ofNanos(-1000), ValueConverter.fromInteger(PgType.INTERVAL, -1));
        for (long micros : new long[] {0, 1, -1, 86_400_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, -27_729_327_252_175L}) {
            assertEquals(micros, Intervals.micros((Duration) ValueConverter.fromInteger(PgType.INTERVAL, micros)), "round trip of " + micros);
        }
    }

    @Test
    void intervalFromSqlalchemyDatetimeIsTheDistanceFrom1970() throws Exception {
        assertEquals(Duration.ofDays(30), ValueConverter.fromText(PgType.INTERVAL, utf8("1970-01-31 00:00:00.000000")));
        assertEquals(Duration.ZERO, ValueConverter.fromText(PgType.INTERVAL, utf8("1970-01-01 00:00:00")));
        assertEquals(Duration.ofNanos(-1000), ValueConverter.fromText(PgType.INTERVAL, utf8("1969-12-31 23:59:59.999999")), "before 1970: negative");
        assertEquals(Duration.ofDays(-365).plusHours(12), ValueConverter.fromText(PgType.INTERVAL, utf8("1969-01-01 12:00:00")));
        assertEquals(Duration.ofDays(1).plusMillis(500), ValueConverter.fromText(PgType.INTERVAL, utf8("1970-01-02T00:00:00.5")));
        assertEquals(Duration.ofDays(2), ValueConverter.fromText(PgType.INTERVAL, utf8("1970-01-03")));
        assertEquals(-62_135_596_800_000_000L, Intervals.micros((Duration) ValueConverter.fromText(PgType.INTERVAL, utf8("0001-01-01 00:00:00"))));
    }

    @Test
    void intervalRefusesWhatIsNeitherSpelling() {
        for (String bad : new String[] {"1970-01-02 00:00:00+00:00", "1970-01-02 00:00:00Z", "30 days", "P30D", "123", "01:00:00",
                "1970-01-01 00:00:00.1234567", "1970-02-30 00:00:00"}) {
            ConversionException e = assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.INTERVAL, utf8(bad)), bad);
            assertTrue(e.getMessage().contains("1970-01-01 00:00:00"), e.getMessage());
        }
        ConversionException real = assertThrows(ConversionException.class, () -> ValueConverter.fromReal(PgType.INTERVAL, 1.5));
        assertTrue(real.getMessage().contains("real") && real.getMessage().contains("interval"), real.getMessage());
        assertThrows(ConversionException.class, () -> ValueConverter.fromBlob(PgType.INTERVAL, new byte[] {1}));
    }

    @Test
    void aFractionTheColumnWouldRoundIsRefused() throws Exception {
        PgType ms = PgType.parse("timestamp(3)");
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_000_000), ValueConverter.fromText(ms, utf8("2024-01-02 03:04:05.123")));
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 120_000_000), ValueConverter.fromText(ms, utf8("2024-01-02 03:04:05.120000")),
                "trailing zeros are no digits lost");
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5), ValueConverter.fromText(ms, utf8("2024-01-02 03:04:05")));
        ConversionException e = assertThrows(ConversionException.class, () -> ValueConverter.fromText(ms, utf8("2024-01-02 03:04:05.123456")));
        assertTrue(e.getMessage().contains("has more fractional digits than timestamp(3) keeps"), e.getMessage());
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(ms, utf8("2024-01-02 03:04:05.1234")));
        PgType tz0 = PgType.parse("timestamp(0) with time zone");
        assertEquals(Instant.parse("2024-01-02T01:04:05Z"), ValueConverter.fromText(tz0, utf8("2024-01-02 03:04:05+02:00")));
        ConversionException z = assertThrows(ConversionException.class, () -> ValueConverter.fromText(tz0, utf8("2024-01-02 03:04:05.5Z")));
        assertTrue(z.getMessage().contains("timestamptz(0)"), z.getMessage());
        PgType t3 = PgType.parse("time(3) without time zone");
        assertEquals(LocalTime.of(10, 0, 0, 1_000_000), ValueConverter.fromText(t3, utf8("10:00:00.001")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(t3, utf8("10:00:00.0001")));
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000), ValueConverter.fromText(PgType.TIMESTAMP, utf8("2024-01-02 03:04:05.123456")));
    }

    @Test
    void characterVaryingWithoutALengthTakesAnyLength() throws Exception {
        String tenThousand = "é".repeat(10_000);
        assertEquals(tenThousand, ((ValueConverter.Text) ValueConverter.fromText(PgType.VARCHAR, utf8(tenThousand))).string());
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.varchar(5), utf8("abcdef")));
        assertEquals("42", ((ValueConverter.Text) ValueConverter.fromInteger(PgType.VARCHAR, 42)).string());
    }

    @Test
    void jsonbRefusesWhatItWouldChange() throws Exception {
        ValueConverter.fromText(PgType.JSONB, utf8("{\"a\": [1, 2.50, \"x\"]}"));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.JSONB, utf8("{\"a\":1,\"a\":2}")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.JSONB, utf8("{\"a\":\"\\u0000\"}")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.JSONB, utf8("{bad")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.JSONB, utf8("[{\"x\":{\"k\":1,\"k\":1}}]")));
        assertThrows(ConversionException.class, () -> ValueConverter.fromText(PgType.JSONB, utf8("{} {}")));
        ValueConverter.fromText(PgType.JSONB, utf8("{\"a\":\"\\\\u0000\"}")); // an escaped backslash, then the text u0000
    }

    @Test
    void blobsOnlyGoToBytea() throws Exception {
        assertArrayEquals(new byte[0], (byte[]) ValueConverter.fromBlob(PgType.BYTEA, new byte[0]));
        assertThrows(ConversionException.class, () -> ValueConverter.fromBlob(PgType.TEXT, new byte[] {1}));
    }

    @Test
    void timestampsAtMillisecondPrecisionTakeIntegersAsPrismaKeepsThem() throws Exception {
        PgType ts3 = PgType.withFraction(PgType.Kind.TIMESTAMP, 3);
        PgType tz3 = PgType.withFraction(PgType.Kind.TIMESTAMPTZ, 3);
        assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_000_000), ValueConverter.fromInteger(ts3, 1_700_000_000_123L));
        assertEquals(Instant.parse("2023-11-14T22:13:20.123Z"), ValueConverter.fromInteger(tz3, 1_700_000_000_123L));
        assertEquals(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_000_000), ValueConverter.fromInteger(ts3, -1));
        // text still works in the same column (Prisma wrote text in some versions)
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 678_000_000),
                ValueConverter.fromText(ts3, "2024-01-02 03:04:05.678".getBytes(StandardCharsets.UTF_8)));
        // beyond years 1..9999: refused, not moved
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(ts3, 253_402_300_800_000L));
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(ts3, Long.MIN_VALUE));
        // any other precision refuses integers: seconds are never read as milliseconds unasked
        ConversionException e = assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.TIMESTAMP, 1_700_000_000L));
        assertTrue(e.getMessage().contains("timestamp(3)"), e.getMessage());
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.TIMESTAMPTZ, 1_700_000_000L));
        assertThrows(ConversionException.class, () -> ValueConverter.fromInteger(PgType.DATE, 19_000));
    }
}

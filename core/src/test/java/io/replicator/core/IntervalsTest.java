package io.replicator.core;

import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.types.PgType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IntervalsTest {

    @Test
    void sqlalchemySpellingComesBackAsItWasWritten() throws Exception {
        assertEquals("1970-01-31 00:00:00.000000", Intervals.sqlalchemyText(Duration.ofDays(30)));
        assertEquals("1969-12-31 23:59:59.999999", Intervals.sqlalchemyText(Duration.ofNanos(-1000)));
        for (String s : List.of("1970-01-01 00:00:00.000000", "1970-01-31 00:00:00.000000", "1969-12-31 23:59:59.999999", "0001-01-01 00:00:00.000000",
                "9999-12-31 23:59:59.999999", "1970-04-20 07:35:27.252175")) {
            Duration d = (Duration) ValueConverter.fromText(PgType.INTERVAL, s.getBytes(StandardCharsets.UTF_8));
            assertEquals(s, Intervals.sqlalchemyText(d));
        }
        assertNull(Intervals.sqlalchemyText(Duration.ofDays(3_000_000)), "past year 9999: no spelling, the caller refuses");
        assertNull(Intervals.sqlalchemyText(Intervals.ofMicros(Long.MIN_VALUE)));
    }

    @Test
    void microsecondsCoverTheWholeLongRangeAndRefuseBeyond() {
        assertEquals(Long.MIN_VALUE, Intervals.micros(Intervals.ofMicros(Long.MIN_VALUE)));
        assertEquals(Long.MAX_VALUE, Intervals.micros(Intervals.ofMicros(Long.MAX_VALUE)));
        assertEquals("-1 microseconds", Intervals.pgInput(Duration.ofNanos(-1000)));
        assertThrows(ArithmeticException.class, () -> Intervals.micros(Intervals.ofMicros(Long.MAX_VALUE).plusNanos(1000)));
        assertThrows(ArithmeticException.class, () -> Intervals.micros(Intervals.ofMicros(Long.MIN_VALUE).minusNanos(1000)));
    }

    @Test
    void onlyPostgresqlsDefaultOutputStyleIsRead() {
        assertEquals(Duration.ofDays(-1).plusHours(2).plusMinutes(3).plusMillis(500), Intervals.parsePostgres("-1 days +02:03:00.5"));
        assertEquals(Duration.ofDays(-360 - 60 + 3).minusHours(4).minusMinutes(5).minusSeconds(6).minusMillis(789),
                Intervals.parsePostgres("-1 years -2 mons +3 days -04:05:06.789"));
        assertEquals(Duration.ZERO, Intervals.parsePostgres("00:00:00"));
        for (String other : List.of("P1Y2M3DT4H5M6S", "@ 1 year 2 mons", "1-2", "+1-2 +3 +4:05:06", "1 year 2", "1 fortnight", "04:05",
                "04:05:06.1234567", "04:05:06 1 day", "")) {
            assertNull(Intervals.parsePostgres(other), other);
        }
    }
}

package io.replicator.core;

import io.replicator.core.types.PgType;
import io.replicator.core.types.PgType.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PgTypeTest {

    @Test
    void fractionalPrecisionIsReadAsFormatTypePrintsItAndAsWritten() {
        assertEquals(PgType.withFraction(Kind.TIMESTAMP, 3), PgType.parse("timestamp(3) without time zone"));
        assertEquals(PgType.withFraction(Kind.TIMESTAMPTZ, 0), PgType.parse("timestamp(0) with time zone"));
        assertEquals(PgType.withFraction(Kind.TIME, 3), PgType.parse("time(3) without time zone"));
        assertEquals(PgType.withFraction(Kind.TIMESTAMP, 3), PgType.parse("timestamp(3)"));
        assertEquals(PgType.withFraction(Kind.TIMESTAMPTZ, 3), PgType.parse("TIMESTAMPTZ (3)"));
        assertEquals(PgType.withFraction(Kind.TIME, 0), PgType.parse("time(0)"));
        assertEquals("timestamp(3)", PgType.parse("timestamp(3) without time zone").sql());
        assertEquals("timestamptz(0)", PgType.parse("timestamp(0) with time zone").sql());
        assertEquals("time(3)", PgType.parse("time(3)").sql());
        assertEquals(3, PgType.parse("timestamp(3)").fractionDigits());
    }

    @Test
    void sixDigitsIsTheDefaultTypeTheConstantsName() {
        assertEquals(PgType.TIMESTAMP, PgType.parse("timestamp(6) without time zone"));
        assertEquals(PgType.TIMESTAMPTZ, PgType.parse("timestamp(6) with time zone"));
        assertEquals(PgType.TIME, PgType.parse("time(6) without time zone"));
        assertEquals(PgType.TIMESTAMP, PgType.parse("timestamp without time zone"));
        assertEquals("timestamp", PgType.TIMESTAMP.sql());
        assertEquals("timestamptz", PgType.TIMESTAMPTZ.sql());
        assertEquals("time", PgType.TIME.sql());
        assertEquals(6, PgType.TIMESTAMP.fractionDigits());
        assertFalse(PgType.parse("timestamp(3)").equals(PgType.TIMESTAMP), "timestamp(3) keeps less than timestamp");
    }

    @Test
    void characterVaryingWithoutALengthIsUnbounded() {
        assertSame(PgType.VARCHAR, PgType.parse("character varying"));
        assertSame(PgType.VARCHAR, PgType.parse("varchar"));
        assertEquals("character varying", PgType.VARCHAR.sql());
        assertFalse(PgType.VARCHAR.hasLength());
        assertEquals(PgType.varchar(20), PgType.parse("character varying(20)"));
        assertEquals("varchar(20)", PgType.parse("varchar(20)").sql());
        assertTrue(PgType.parse("varchar(20)").hasLength());
    }

    @Test
    void intervalIsATarget() {
        assertSame(PgType.INTERVAL, PgType.parse("interval"));
        assertEquals("interval", PgType.INTERVAL.sql());
    }

    @Test
    void everyTypeReadsBackFromItsOwnSpelling() {
        // the stored translation options keep --type overrides as sql()
        for (PgType t : List.of(PgType.INTERVAL, PgType.VARCHAR, PgType.varchar(7), PgType.TIMESTAMP, PgType.TIMESTAMPTZ, PgType.TIME,
                PgType.withFraction(Kind.TIMESTAMP, 0), PgType.withFraction(Kind.TIMESTAMPTZ, 3), PgType.withFraction(Kind.TIME, 5),
                PgType.numeric(12, 4), PgType.UUID, PgType.JSONB)) {
            assertEquals(t, PgType.parse(t.sql()), t.sql());
        }
    }

    @Test
    void typesThatWouldChangeValuesAreAConfigErrorNamingThemAndTheAcceptedOnes() {
        for (String bad : List.of("character(10)", "char(10)", "real", "integer[]", "text[]", "time with time zone", "time(3) with time zone",
                "timetz", "timestamptz(3) with time zone", "interval day to second", "interval(3)", "bit(3)", "money")) {
            ReplicatorException e = assertThrows(ReplicatorException.class, () -> PgType.parse(bad), bad);
            assertEquals(ExitCode.BAD_CONFIG, e.exitCode(), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("timestamp(p)") && e.getMessage().contains("interval") && e.getMessage().contains("varchar(n)"),
                    "lists what is accepted: " + e.getMessage());
        }
        ReplicatorException tooFine = assertThrows(ReplicatorException.class, () -> PgType.parse("timestamp(7)"));
        assertTrue(tooFine.getMessage().contains("0..6"), tooFine.getMessage());
    }
}

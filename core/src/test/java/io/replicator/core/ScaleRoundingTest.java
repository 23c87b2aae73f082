package io.replicator.core;

import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.types.PgType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --round-to-scale: REALs rounded to a numeric(p,s) column's scale; nothing else changes. */
class ScaleRoundingTest {
    private static final PgType N12_4 = PgType.numeric(12, 4);

    @Test
    void realNoiseIsRoundedToTheScale() throws Exception {
        assertEquals(new BigDecimal("12.4590"), ScaleRounding.from(N12_4, SqliteValue.real(12.459000000000001)));
        assertEquals(new BigDecimal("251720.1919"), ScaleRounding.from(N12_4, SqliteValue.real(251720.19189999998)));
        assertEquals(new BigDecimal("-0.0001"), ScaleRounding.from(N12_4, SqliteValue.real(-0.00009999)));
        assertEquals(new BigDecimal("0.0000"), ScaleRounding.from(N12_4, SqliteValue.real(-0.0)), "no negative zero in numeric");
    }

    @Test
    void roundingStartsFromTheDoublesExactValueHalfToEven() throws Exception {
        // 0.125 and 0.375 are exact in binary: ties go to the even digit; 2.675 is 2.67499999... in binary
        assertEquals(new BigDecimal("0.12"), ScaleRounding.from(PgType.numeric(5, 2), SqliteValue.real(0.125)));
        assertEquals(new BigDecimal("0.38"), ScaleRounding.from(PgType.numeric(5, 2), SqliteValue.real(0.375)));
        assertEquals(new BigDecimal("2.67"), ScaleRounding.from(PgType.numeric(5, 2), SqliteValue.real(2.675)));
    }

    /**
     * 35460.84485 is 35460.8448500000013... in binary. SQLAlchemy ({@code "%.4f" % value}) shows 35460.8449; Django's
     * SQLite converter ({@code Context(prec=15).create_decimal_from_float(value).quantize(...)}) shows 35460.8448 (both
     * printed by CPython 3.11 for this value). Each style must give what its framework shows.
     */
    @Test
    void djangoRoundsFromFifteenSignificantDigitsSqlalchemyFromTheExactValue() throws Exception {
        SqliteValue nearTie = SqliteValue.real(35460.84485);
        assertEquals(new BigDecimal("35460.8449"), ScaleRounding.from(N12_4, nearTie, ScaleRounding.Style.EXACT));
        assertEquals(new BigDecimal("35460.8448"), ScaleRounding.from(N12_4, nearTie, ScaleRounding.Style.FIFTEEN_DIGITS));
        assertEquals(new BigDecimal("35460.8449"), ScaleRounding.from(N12_4, nearTie), "the exact style is the default");
        // away from a tie the two agree
        assertEquals(new BigDecimal("12.4590"), ScaleRounding.from(N12_4, SqliteValue.real(12.459000000000001), ScaleRounding.Style.FIFTEEN_DIGITS));
        assertEquals(new BigDecimal("251720.1919"), ScaleRounding.from(N12_4, SqliteValue.real(251720.19189999998), ScaleRounding.Style.FIFTEEN_DIGITS));
    }

    @Test
    void onlyRealsChangeAndPrecisionStillHolds() throws Exception {
        assertEquals(new BigDecimal("42"), ScaleRounding.from(N12_4, SqliteValue.integer(42)), "integers as always");
        assertThrows(ConversionException.class, () -> ScaleRounding.from(N12_4, SqliteValue.real(123456789.5)), "9 integer digits > 12 - 4");
        assertThrows(ConversionException.class, () -> ScaleRounding.from(N12_4, SqliteValue.real(Double.POSITIVE_INFINITY)));
        assertThrows(ConversionException.class, () -> ScaleRounding.from(N12_4, SqliteValue.text("1.23456".getBytes())), "text is not rounded");
        assertTrue(ScaleRounding.applies(N12_4));
        assertFalse(ScaleRounding.applies(PgType.NUMERIC), "numeric without a scale holds the REAL exactly");
        assertEquals(0, ScaleRounding.change(N12_4, 1.5).signum());
    }
}

package io.replicator.core.codec;

import io.replicator.core.event.SqliteValue;
import io.replicator.core.model.StorageClass;
import io.replicator.core.types.PgType;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The one conversion that changes a value, and only when the user names the column ({@code --round-to-scale}): a
 * SQLite REAL bound for a {@code numeric(p,s)} column is rounded to {@code s} decimal places (half to even), as the
 * application's framework shows such a column read from SQLite ({@link Style}: SQLAlchemy from the double's exact
 * binary value, Django from its 15 significant digits; they differ only where those digits end on a tie, as
 * {@code 35460.84485} in a {@code decimal(12,4)}: SQLAlchemy shows {@code 35460.8449}, Django {@code 35460.8448}). Arithmetic in SQLite leaves binary noise in decimal columns ({@code 12.459000000000001} in a
 * {@code decimal(12,4)}); without the option such a value is refused. Integers and text are converted as always, and
 * a value whose integer digits do not fit the precision is still refused.
 */
public final class ScaleRounding {
    private ScaleRounding() {}

    /** How a framework turns a REAL it reads from SQLite into a decimal of the column's scale. */
    public enum Style {
        /** From the double's exact binary value (SQLAlchemy's {@code "%.{s}f" % value}). */
        EXACT,
        /** First to 15 significant digits, then to the scale, both half to even (Django's SQLite converter). */
        FIFTEEN_DIGITS
    }

    private static final MathContext FIFTEEN = new MathContext(15, RoundingMode.HALF_EVEN);

    /** {@link ValueConverter#from}, with a REAL rounded to the scale of a {@code numeric(p,s)} column ({@link Style#EXACT}). */
    public static Object from(PgType t, SqliteValue v) throws ConversionException {
        return from(t, v, Style.EXACT);
    }

    /** {@link ValueConverter#from}, with a REAL rounded to the scale of a {@code numeric(p,s)} column as {@code style} does. */
    public static Object from(PgType t, SqliteValue v, Style style) throws ConversionException {
        if (v.storageClass() != StorageClass.REAL || !applies(t)) return ValueConverter.from(t, v);
        return round(t, v.asDouble(), style);
    }

    /** Whether rounding to scale means anything for {@code t}: a numeric with a declared precision and scale. */
    public static boolean applies(PgType t) {
        return t.kind() == PgType.Kind.NUMERIC && t.precision() > 0;
    }

    static BigDecimal round(PgType t, double d) throws ConversionException {
        return round(t, d, Style.EXACT);
    }

    static BigDecimal round(PgType t, double d, Style style) throws ConversionException {
        if (Double.isInfinite(d) || Double.isNaN(d)) throw new ConversionException("is not a finite number, which " + t.sql() + " cannot hold");
        BigDecimal exact = new BigDecimal(d);
        BigDecimal r = (style == Style.FIFTEEN_DIGITS ? exact.round(FIFTEEN) : exact).setScale(t.scale(), RoundingMode.HALF_EVEN);
        if (r.signum() == 0) r = BigDecimal.ZERO.setScale(t.scale());
        if (!Decimals.fits(r, t.precision(), t.scale())) throw new ConversionException("does not fit " + t.sql() + " even rounded to " + t.scale() + " places");
        return r;
    }

    /** How far rounding moves {@code d}: 0 when it fits already. */
    public static BigDecimal change(PgType t, double d) throws ConversionException {
        return round(t, d).subtract(new BigDecimal(d)).abs();
    }
}

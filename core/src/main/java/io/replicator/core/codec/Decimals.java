package io.replicator.core.codec;

import java.math.BigDecimal;
import java.math.MathContext;

/** Exact decimal forms of doubles. */
public final class Decimals {
    private Decimals() {}

    /**
     * The shortest decimal that converts back to exactly {@code d} (e.g. 0.99 for the double nearest 0.99).
     * Stored as numeric, it reads back as the same double: no bit is lost. Requires a finite value.
     */
    public static BigDecimal shortest(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) throw new ArithmeticException("not finite: " + d);
        if (d == 0) return BigDecimal.ZERO;
        // Double.toString always reads back as d; on Java 17 it is occasionally a digit longer than needed,
        // so try dropping digits while the result still reads back as d.
        BigDecimal best = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        for (int p = best.precision() - 1; p >= 1; p--) {
            BigDecimal r = best.round(new MathContext(p));
            if (r.doubleValue() != d) break;
            best = r.stripTrailingZeros();
        }
        return best;
    }

    /** True when {@code v} fits numeric(precision, scale) without rounding. */
    public static boolean fits(BigDecimal v, int precision, int scale) {
        if (precision <= 0) return true;
        BigDecimal s = v.stripTrailingZeros();
        int fractionDigits = Math.max(s.scale(), 0);
        int integerDigits = Math.max(s.precision() - s.scale(), 0);
        return fractionDigits <= scale && integerDigits <= precision - scale;
    }

    /** How a REAL reads when widened to text: shortest round-trip digits, always with a decimal point. */
    public static String realToText(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "Inf" : "-Inf";
        if (d == 0) return (1 / d) < 0 ? "-0.0" : "0.0";
        String s = shortest(d).toPlainString();
        return s.indexOf('.') < 0 ? s + ".0" : s;
    }
}

package io.replicator.core.codec;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict parsing of SQLite date/time text into values PostgreSQL stores exactly. Accepted:
 * {@code YYYY-MM-DD}, optionally followed by {@code ' '} or {@code 'T'} and {@code HH:MM}, {@code HH:MM:SS} or
 * {@code HH:MM:SS.f} with 1–6 fraction digits (PostgreSQL keeps microseconds), optionally followed by
 * {@code Z} or {@code ±HH:MM}. Years 0001–9999, real calendar dates only.
 * <p>The timezone rule: text without an offset is wall-clock time; in a column that becomes timestamptz
 * (because some value carries an offset) text without an offset is taken as UTC.
 */
public final class Temporals {
    private Temporals() {}

    private static final Pattern SHAPE = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:[ T](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?(Z|[+-]\\d{2}:\\d{2})?)?");

    /** A parsed value; {@code offset} is null when the text had none. */
    public record Parsed(LocalDateTime local, boolean dateOnly, ZoneOffset offset) {
        public java.time.Instant instantAssumingUtc() {
            return local.toInstant(offset == null ? ZoneOffset.UTC : offset);
        }
    }

    /** Returns null when the text is not one of the accepted shapes or not a real date/time. */
    public static Parsed parse(String s) {
        Matcher m = SHAPE.matcher(s);
        if (!m.matches()) return null;
        try {
            int year = Integer.parseInt(m.group(1));
            if (year < 1) return null;
            LocalDate date = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            if (m.group(4) == null) return new Parsed(date.atStartOfDay(), true, null);
            int nanos = 0;
            if (m.group(7) != null) {
                String f = (m.group(7) + "000000").substring(0, 6);
                nanos = Integer.parseInt(f) * 1000;
            }
            LocalTime time = LocalTime.of(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), nanos);
            ZoneOffset off = null;
            if (m.group(8) != null) {
                off = m.group(8).equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(m.group(8));
            }
            return new Parsed(LocalDateTime.of(date, time), false, off);
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }
}

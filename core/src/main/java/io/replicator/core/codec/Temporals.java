package io.replicator.core.codec;

import java.time.Instant;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

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

    /** A parsed value; {@code offset} is null when the text had none. */
    public record Parsed(LocalDateTime local, boolean dateOnly, ZoneOffset offset) {
        public Instant instantAssumingUtc() {
            return local.toInstant(offset == null ? ZoneOffset.UTC : offset);
        }
    }

    /** Returns null when the text is not one of the accepted shapes or not a real date/time. Hand-parsed: this runs per value. */
    public static Parsed parse(String s) {
        int n = s.length();
        if (n < 10 || !digits(s, 0, 4) || s.charAt(4) != '-' || !digits(s, 5, 2) || s.charAt(7) != '-' || !digits(s, 8, 2)) return null;
        try {
            int year = num(s, 0, 4);
            if (year < 1) return null;
            LocalDate date = LocalDate.of(year, num(s, 5, 2), num(s, 8, 2));
            if (n == 10) return new Parsed(date.atStartOfDay(), true, null);
            char sep = s.charAt(10);
            if ((sep != ' ' && sep != 'T') || n < 16 || !digits(s, 11, 2) || s.charAt(13) != ':' || !digits(s, 14, 2)) return null;
            int hour = num(s, 11, 2);
            int minute = num(s, 14, 2);
            int second = 0;
            int nanos = 0;
            int i = 16;
            if (i < n && s.charAt(i) == ':') {
                if (i + 3 > n || !digits(s, i + 1, 2)) return null;
                second = num(s, i + 1, 2);
                i += 3;
                if (i < n && s.charAt(i) == '.') {
                    int f = i + 1;
                    int e = f;
                    while (e < n && e - f < 7 && Character.isDigit(s.charAt(e))) e++;
                    int len = e - f;
                    if (len < 1 || len > 6) return null;
                    nanos = num(s, f, len);
                    for (int k = len; k < 9; k++) nanos *= 10;
                    i = e;
                }
            }
            ZoneOffset off = null;
            if (i < n) {
                char c = s.charAt(i);
                if (c == 'Z' && i + 1 == n) {
                    off = ZoneOffset.UTC;
                } else if ((c == '+' || c == '-') && i + 6 == n && digits(s, i + 1, 2) && s.charAt(i + 3) == ':' && digits(s, i + 4, 2)) {
                    off = ZoneOffset.ofHoursMinutes(c == '-' ? -num(s, i + 1, 2) : num(s, i + 1, 2), c == '-' ? -num(s, i + 4, 2) : num(s, i + 4, 2));
                } else {
                    return null;
                }
            }
            return new Parsed(LocalDateTime.of(date, LocalTime.of(hour, minute, second, nanos)), false, off);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * A time of day: {@code HH:MM}, {@code HH:MM:SS} or {@code HH:MM:SS.f} with 1–6 fraction digits (what SQLite's
     * {@code time()}, Django, SQLAlchemy and Laravel write), hours 00–23. Null for anything else.
     */
    public static LocalTime parseTime(String s) {
        int n = s.length();
        if (n < 5 || !digits(s, 0, 2) || s.charAt(2) != ':' || !digits(s, 3, 2)) return null;
        int hour = num(s, 0, 2);
        int minute = num(s, 3, 2);
        int second = 0;
        int nanos = 0;
        int i = 5;
        if (i < n) {
            if (s.charAt(i) != ':' || i + 3 > n || !digits(s, i + 1, 2)) return null;
            second = num(s, i + 1, 2);
            i += 3;
            if (i < n) {
                if (s.charAt(i) != '.') return null;
                int len = n - i - 1;
                if (len < 1 || len > 6 || !digits(s, i + 1, len)) return null;
                nanos = num(s, i + 1, len);
                for (int k = len; k < 9; k++) nanos *= 10;
            }
        }
        if (hour > 23 || minute > 59 || second > 59) return null;
        return LocalTime.of(hour, minute, second, nanos);
    }

    private static boolean digits(String s, int from, int len) {
        if (from + len > s.length()) return false;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static int num(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) v = v * 10 + (s.charAt(i) - '0');
        return v;
    }
}

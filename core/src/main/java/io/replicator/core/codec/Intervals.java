package io.replicator.core.codec;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Intervals as applications keep them in SQLite, and as PostgreSQL prints them. A value is a {@link Duration}
 * exact to the microsecond (PostgreSQL's resolution).
 * <ul>
 *   <li>Django's DurationField: bigint microseconds.</li>
 *   <li>SQLAlchemy's Interval: a DATETIME text relative to 1970-01-01 00:00:00 ('1970-01-31 00:00:00.000000' is 30
 *       days; dates before 1970 are negative intervals).</li>
 *   <li>PostgreSQL's output (IntervalStyle postgres, its default): '1 year 2 mons -3 days +04:05:06.789'. A
 *       month counts 30 days and a day 24 hours, as PostgreSQL itself equates intervals.</li>
 * </ul>
 */
public final class Intervals {
    private Intervals() {}

    /** The origin of SQLAlchemy's spelling. */
    public static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);
    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long SECONDS_PER_DAY = 86_400L;
    /** PostgreSQL's interval comparison counts a month as 30 days ({@code DAYS_PER_MONTH}). */
    private static final long DAYS_PER_MONTH = 30;
    private static final DateTimeFormatter SQLALCHEMY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    public static Duration ofMicros(long micros) {
        return Duration.ofSeconds(Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1000);
    }

    /** Whole microseconds; ArithmeticException beyond a 64-bit count (about 292,000 years). */
    public static long micros(Duration d) {
        long s = d.getSeconds();
        long micros = d.getNano() / 1000;
        if (s < 0 && micros > 0) { // keeps Long.MIN_VALUE microseconds reachable
            s++;
            micros -= MICROS_PER_SECOND;
        }
        return Math.addExact(Math.multiplyExact(s, MICROS_PER_SECOND), micros);
    }

    /** The interval a SQLAlchemy DATETIME spelling stands for: {@code local} − 1970-01-01 00:00:00. */
    public static Duration sinceEpoch(LocalDateTime local) {
        return Duration.between(EPOCH, local);
    }

    /** SQLAlchemy's spelling, 'YYYY-MM-DD HH:MM:SS.ffffff'; null when the date falls outside years 1–9999. */
    public static String sqlalchemyText(Duration d) {
        LocalDateTime t;
        try {
            t = EPOCH.plus(d);
        } catch (ArithmeticException | DateTimeException e) {
            return null;
        }
        if (t.getYear() < 1 || t.getYear() > 9999) return null;
        return t.format(SQLALCHEMY);
    }

    /** Text PostgreSQL reads as exactly this interval (its input parses the count as a 64-bit integer). */
    public static String pgInput(Duration d) {
        return micros(d) + " microseconds";
    }

    /**
     * Parses PostgreSQL's output in IntervalStyle postgres: optional {@code N year(s)}, {@code N mon(s)},
     * {@code N day(s)} (each with its own sign), then an optional {@code [+-]H:MM:SS[.ffffff]}. Null for any other
     * text (another IntervalStyle).
     */
    public static Duration parsePostgres(String s) {
        String[] tok = s.trim().split(" ");
        long days = 0;
        Duration time = Duration.ZERO;
        int i = 0;
        try {
            while (i < tok.length) {
                String t = tok[i];
                if (t.indexOf(':') >= 0) {
                    if (i != tok.length - 1) return null;
                    time = clock(t);
                    if (time == null) return null;
                    i++;
                    continue;
                }
                if (i + 1 >= tok.length) return null;
                long n = Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
                switch (tok[i + 1]) {
                    case "year", "years" -> days = Math.addExact(days, Math.multiplyExact(n, 12 * DAYS_PER_MONTH));
                    case "mon", "mons" -> days = Math.addExact(days, Math.multiplyExact(n, DAYS_PER_MONTH));
                    case "day", "days" -> days = Math.addExact(days, n);
                    default -> { return null; }
                }
                i += 2;
            }
            return Duration.ofSeconds(Math.multiplyExact(days, SECONDS_PER_DAY)).plus(time);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /** {@code [+-]H:MM:SS[.f]} with any number of hours. */
    private static Duration clock(String t) {
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) t = t.substring(1);
        String[] hms = t.split(":");
        if (hms.length != 3 || hms[1].length() != 2 || hms[2].length() < 2) return null;
        String sec = hms[2];
        int dot = sec.indexOf('.');
        String whole = dot < 0 ? sec : sec.substring(0, dot);
        String frac = dot < 0 ? "" : sec.substring(dot + 1);
        if (whole.length() != 2 || frac.length() > 6 || !digits(hms[0]) || !digits(hms[1]) || !digits(whole) || (dot >= 0 && !digits(frac))) return null;
        long micros = frac.isEmpty() ? 0 : Long.parseLong(frac);
        for (int k = frac.length(); k < 6; k++) micros *= 10;
        Duration d = Duration.ofHours(Long.parseLong(hms[0])).plusMinutes(Long.parseLong(hms[1])).plusSeconds(Long.parseLong(whole))
                .plusNanos(micros * 1000);
        return negative ? d.negated() : d;
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}

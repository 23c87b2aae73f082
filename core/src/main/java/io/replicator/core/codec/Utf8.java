package io.replicator.core.codec;

import io.replicator.core.event.SqliteValue;

/**
 * Strict UTF-8 validation of SQLite TEXT bytes, matching what PostgreSQL's text accepts: well-formed UTF-8,
 * no overlong forms, no surrogates, nothing above U+10FFFF, and no NUL character (PostgreSQL text cannot
 * hold U+0000).
 */
public final class Utf8 {
    private Utf8() {}

    /** Returns -1 when {@code b} is acceptable PostgreSQL text, else the offset of the first offending byte. */
    public static int firstInvalid(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i];
            if (c > 0) { // ASCII, not NUL
                i++;
                continue;
            }
            if (c == 0) return i;
            c &= 0xff;
            int need;
            int min;
            if (c >= 0xC2 && c <= 0xDF) { need = 1; min = 0x80; }
            else if (c >= 0xE0 && c <= 0xEF) { need = 2; min = 0x800; }
            else if (c >= 0xF0 && c <= 0xF4) { need = 3; min = 0x10000; }
            else return i;
            if (i + need >= n) return i;
            int cp = c & (0xFF >> (need + 2));
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xC0) != 0x80) return i;
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
            i += need + 1;
        }
        return -1;
    }

    /** Why {@link #firstInvalid} stopped, in words. */
    public static String describe(byte[] b, int at) {
        if (b[at] == 0) return "contains a NUL character (U+0000) at byte " + at + ", which PostgreSQL text cannot store";
        return "is not valid UTF-8 (bad byte 0x" + String.format("%02X", b[at] & 0xff) + " at offset " + at + ")";
    }

    /** Hex of the bytes, cut to {@code max} bytes, for error messages. */
    public static String hex(byte[] b, int max) {
        return SqliteValue.hex(b, max);
    }
}

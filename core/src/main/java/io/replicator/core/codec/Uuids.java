package io.replicator.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

/**
 * UUIDs as applications keep them in SQLite: 32 lowercase hex digits without dashes (Django's UUIDField, SQLAlchemy's
 * CHAR(32) recipe). Only that spelling moves into a PostgreSQL {@code uuid}, because only it comes back unchanged
 * (PostgreSQL prints a uuid lowercase, with dashes): an uppercase or dashed value stays text (lossless or loud).
 */
public final class Uuids {
    private Uuids() {}

    /** The UUID of 32 lowercase hex digits, or null for anything else. */
    public static UUID fromHex(byte[] utf8) {
        if (utf8.length != 32) return null;
        for (byte b : utf8) if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) return null;
        String s = new String(utf8, StandardCharsets.US_ASCII);
        return new UUID(Long.parseUnsignedLong(s.substring(0, 16), 16), Long.parseUnsignedLong(s.substring(16), 16));
    }

    /** The SQLite spelling: 32 lowercase hex digits. */
    public static String hex(UUID u) {
        return String.format(Locale.ROOT, "%016x%016x", u.getMostSignificantBits(), u.getLeastSignificantBits());
    }
}

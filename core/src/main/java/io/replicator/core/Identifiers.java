package io.replicator.core;

import java.nio.charset.StandardCharsets;

/** PostgreSQL and SQLite identifier quoting, and PostgreSQL's 63-byte name limit. */
public final class Identifiers {
    /** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server. */
    public static final int PG_MAX_BYTES = 63;

    private Identifiers() {}

    /** Always quotes, so case, spaces and reserved words ("references", user, "Order Details") survive. */
    public static String pg(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static String pg(String schema, String table) {
        return pg(schema) + "." + pg(table);
    }

    public static String sqlite(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static String sqlLiteral(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    public static int utf8Length(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Cuts {@code name} to at most {@code maxBytes} UTF-8 bytes without splitting a character. */
    public static String truncateUtf8(String name, int maxBytes) {
        if (utf8Length(name) <= maxBytes) return name;
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) break;
            sb.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return sb.toString();
    }
}

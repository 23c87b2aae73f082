package io.replicator.core.sqlite;

import org.sqlite.Collation;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collations an application registers in its own process (Anki's {@code unicase}, for one) and names in its
 * schema. SQLite opened by anyone else cannot prepare a statement that compares such a column ("no such collation
 * sequence"), so even reading the table fails. Read-only connections get a stand-in for each: case-insensitive
 * (Unicode case folding), then binary, so it is a total order — every row is still read once by a scan or a
 * keyset walk. Values are copied exactly either way; only the order of the tool's own reads depends on it.
 * <p>Connections that write never get the stand-in: an index maintained with another comparator than the
 * application's would be corrupt, so a write there fails loudly with SQLite's error instead.
 */
public final class ApplicationCollations {
    private static final Set<String> BUILT_IN = Set.of("BINARY", "NOCASE", "RTRIM");
    private static final Pattern COLLATE = Pattern.compile("COLLATE\\s+[\"'`\\[]?(\\w+)", Pattern.CASE_INSENSITIVE);

    private ApplicationCollations() {}

    /** True for a collation only the application that wrote the file knows. */
    public static boolean isApplicationDefined(String collation) {
        return collation != null && !BUILT_IN.contains(collation.toUpperCase(Locale.ROOT));
    }

    /** The application-defined collations the schema names. */
    public static Set<String> named(Connection c) throws SQLException {
        Set<String> found = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT sql FROM sqlite_master WHERE sql LIKE '%collate%'")) {
            while (rs.next()) {
                Matcher m = COLLATE.matcher(rs.getString(1));
                while (m.find()) if (isApplicationDefined(m.group(1))) found.add(m.group(1));
            }
        }
        return found;
    }

    /** Registers the stand-in for each application-defined collation the schema names. */
    static void registerStandIns(Connection c) throws SQLException {
        for (String name : named(c)) Collation.create(c, name, new StandIn());
    }

    /** Case-insensitive, then binary: a total order. */
    static final class StandIn extends Collation {
        @Override
        protected int xCompare(String a, String b) {
            int folded = fold(a).compareTo(fold(b));
            return folded != 0 ? folded : a.compareTo(b);
        }

        private static String fold(String s) {
            return s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        }
    }
}

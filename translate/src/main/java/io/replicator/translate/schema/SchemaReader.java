package io.replicator.translate.schema;

import io.replicator.core.CaptureNames;
import java.util.TreeMap;

import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteForeignKey;
import io.replicator.core.model.SqliteIndex;
import io.replicator.core.model.SqliteTable;
import io.replicator.core.model.SqliteView;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Introspects a SQLite database through sqlite_schema and the table_xinfo / index / foreign_key PRAGMAs. */
public final class SchemaReader {
    /** Tables of SQLite itself and of this tool's capture, never copied as application data. */
    public static boolean isInternal(String table) {
        String t = table.toLowerCase(Locale.ROOT);
        return t.startsWith("sqlite_") || t.startsWith(CaptureNames.PREFIX);
    }

    private static final Pattern PARTIAL_WHERE = Pattern.compile("(?is)\\bWHERE\\b(.*)$");
    private static final Pattern VIEW_AS = Pattern.compile("(?is)^\\s*CREATE\\s+(?:TEMP\\w*\\s+)?VIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?.*?\\bAS\\b\\s*(.*)$");

    private SchemaReader() {}

    public static SourceSchema read(Connection c) {
        try {
            List<SqliteTable> tables = new ArrayList<>();
            List<SqliteView> views = new ArrayList<>();
            List<String> triggers = new ArrayList<>();
            List<String> virtuals = new ArrayList<>();
            Map<String, String> indexSql = new LinkedHashMap<>();
            List<String[]> rows = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid")) {
                while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
            for (String[] r : rows) if (r[0].equals("index") && r[3] != null) indexSql.put(r[1], r[3]);
            for (String[] r : rows) {
                String type = r[0];
                String name = r[1];
                String sql = r[3];
                switch (type) {
                    case "table" -> {
                        if (isInternal(name)) continue;
                        if (sql != null && sql.trim().toUpperCase(Locale.ROOT).startsWith("CREATE VIRTUAL")) {
                            virtuals.add(name);
                            continue;
                        }
                        tables.add(readTable(c, name, sql, indexSql));
                    }
                    case "view" -> {
                        Matcher m = VIEW_AS.matcher(sql == null ? "" : sql);
                        views.add(new SqliteView(name, sql, m.matches() ? m.group(1).trim() : null));
                    }
                    case "trigger" -> {
                        if (!isInternal(name)) triggers.add(name + " ON " + r[2]);
                    }
                    default -> { }
                }
            }
            return new SourceSchema(tables, views, triggers, virtuals);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the schema of the SQLite database: " + e.getMessage(), e);
        }
    }

    /** The declared name of the UNIQUE constraint over exactly these columns, or null. */
    private static String declaredUniqueName(CreateTableText text, List<SqliteIndex.IndexedColumn> cols) {
        List<String> names = cols.stream().map(x -> x.name() == null ? "" : x.name().toLowerCase(Locale.ROOT)).toList();
        for (CreateTableText.Unique u : text.uniques) {
            if (u.name() != null && u.columns().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList().equals(names)) return u.name();
        }
        return null;
    }

    /** The foreign keys with what the CREATE TABLE text declares of each (name, deferral), matched by their columns. */
    private static List<SqliteForeignKey> declared(CreateTableText text, Collection<SqliteForeignKey> fks) {
        List<CreateTableText.ForeignKey> unmatched = new ArrayList<>(text.foreignKeys);
        List<SqliteForeignKey> out = new ArrayList<>();
        for (SqliteForeignKey fk : fks) {
            List<String> from = fk.fromColumns().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList();
            CreateTableText.ForeignKey match = unmatched.stream()
                    .filter(d -> d.fromColumns().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList().equals(from)).findFirst().orElse(null);
            if (match == null) {
                out.add(fk);
            } else {
                unmatched.remove(match);
                out.add(fk.declared(match.name(), match.deferrable(), match.initiallyDeferred()));
            }
        }
        return out;
    }

    private static SqliteTable readTable(Connection c, String name, String sql, Map<String, String> indexSql) throws SQLException {
        CreateTableText text = CreateTableText.parse(sql);
        List<SqliteColumn> columns = new ArrayList<>();
        Map<Integer, String> pk = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String col = rs.getString(2);
                    int pkOrdinal = rs.getInt(6);
                    int hidden = rs.getInt(7);
                    columns.add(new SqliteColumn(col, rs.getString(3), rs.getInt(4) != 0, rs.getString(5), pkOrdinal,
                            text.collations.get(col), hidden == 2 || hidden == 3));
                    if (pkOrdinal > 0) pk.put(pkOrdinal, col);
                }
            }
        }
        List<String> primaryKey = new ArrayList<>(pk.values());
        String rowidAlias = null;
        if (!text.withoutRowid && primaryKey.size() == 1) {
            SqliteColumn k = columns.stream().filter(x -> x.name().equals(primaryKey.get(0))).findFirst().orElseThrow();
            if (k.declaredType() != null && k.declaredType().trim().equalsIgnoreCase("INTEGER")) rowidAlias = k.name();
        }
        List<SqliteIndex> indexes = new ArrayList<>();
        List<String[]> idx = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY seq DESC")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) idx.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        for (String[] ix : idx) {
            List<SqliteIndex.IndexedColumn> cols = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno")) {
                ps.setString(1, ix[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int cid = rs.getInt(1);
                        String coll = rs.getString(4);
                        cols.add(new SqliteIndex.IndexedColumn(cid == -2 ? null : (cid == -1 ? "rowid" : rs.getString(2)), rs.getInt(3) != 0,
                                coll == null || coll.equalsIgnoreCase("BINARY") ? null : coll.toUpperCase(Locale.ROOT)));
                    }
                }
            }
            String where = null;
            if ("1".equals(ix[3]) && indexSql.containsKey(ix[0])) {
                Matcher m = PARTIAL_WHERE.matcher(indexSql.get(ix[0]));
                if (m.find()) where = m.group(1).trim();
            }
            String constraintName = switch (ix[2]) {
                case "pk" -> text.primaryKeyName;
                case "u" -> declaredUniqueName(text, cols);
                default -> null;
            };
            indexes.add(new SqliteIndex(ix[0], "1".equals(ix[1]), ix[2], cols, where, constraintName));
        }
        Map<Integer, SqliteForeignKey> fks = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int id = rs.getInt(1);
                    SqliteForeignKey fk = fks.computeIfAbsent(id, k -> {
                        try {
                            return new SqliteForeignKey(id, rs.getString(3), new ArrayList<>(), new ArrayList<>(), rs.getString(6), rs.getString(7),
                                    null, false, false);
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    fk.fromColumns().add(rs.getString(4));
                    if (rs.getString(5) != null) fk.toColumns().add(rs.getString(5));
                }
            }
        }
        return new SqliteTable(name, sql, columns, primaryKey, rowidAlias, text.withoutRowid, text.autoincrement, indexes,
                declared(text, fks.values()), text.checks, text.primaryKeyName);
    }
}

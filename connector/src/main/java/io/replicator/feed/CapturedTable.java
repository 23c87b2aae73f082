package io.replicator.feed;

import java.sql.Types;

import io.replicator.translate.schema.RowIdentity;

import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.plan.Planner;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.sqlite;

/**
 * How the feed reads one captured table: the row for a key, with every value's storage class. Tables keyed
 * by rowid carry it as the extra field {@value RowIdentity#ROWID_COLUMN}, the column the snapshot gave them.
 */
final class CapturedTable implements AutoCloseable {
    final SqliteTable table;
    final boolean byRowid;
    /** Field names of the event key. */
    final List<String> keyFields;
    /** Field names of the event row: the table's columns, then the rowid field for rowid-keyed tables. */
    final List<String> fields;
    private final String rowidName;
    private final PreparedStatement lookup;
    private final PreparedStatement last;

    CapturedTable(Connection c, SqliteTable table, String keyKind, List<String> keyColumns) throws SQLException {
        this.table = table;
        this.byRowid = keyKind.equals("rowid");
        this.rowidName = byRowid ? keyColumns.get(0) : null;
        this.keyFields = byRowid ? List.of(RowIdentity.ROWID_COLUMN) : keyColumns;
        List<String> f = new ArrayList<>();
        List<String> select = new ArrayList<>();
        for (SqliteColumn col : table.columns()) {
            f.add(col.name());
            select.add(sqlite(col.name()));
        }
        if (byRowid) {
            f.add(RowIdentity.ROWID_COLUMN);
            select.add(rowidName);
        }
        this.fields = List.copyOf(f);
        List<String> where = new ArrayList<>();
        for (String k : byRowid ? List.of(rowidName) : keyColumns) where.add(sqlite(k) + " = ?");
        String cols = String.join(", ", select);
        this.lookup = c.prepareStatement("SELECT " + cols + " FROM " + sqlite(table.name()) + " WHERE " + String.join(" AND ", where));
        this.last = byRowid ? c.prepareStatement("SELECT " + cols + " FROM " + sqlite(table.name()) + " ORDER BY " + rowidName + " DESC LIMIT 1") : null;
    }

    String name() {
        return table.name();
    }

    /** The row with this key now, or null when there is none. */
    List<SqliteValue> read(List<SqliteValue> key) throws SQLException {
        for (int i = 0; i < key.size(); i++) bind(lookup, i + 1, key.get(i));
        try (ResultSet rs = lookup.executeQuery()) {
            return rs.next() ? values(rs) : null;
        }
    }

    /** The row with the highest rowid (rowid-keyed tables only), or null for an empty table. */
    List<SqliteValue> lastRow() throws SQLException {
        try (ResultSet rs = last.executeQuery()) {
            return rs.next() ? values(rs) : null;
        }
    }

    private List<SqliteValue> values(ResultSet rs) throws SQLException {
        List<SqliteValue> out = new ArrayList<>(fields.size());
        for (int i = 1; i <= fields.size(); i++) out.add(SqliteValueReader.value(rs, i));
        return out;
    }

    /** The key values of a row of this table (from {@link #read}'s result). */
    List<SqliteValue> keyOf(List<SqliteValue> row) {
        if (byRowid) return List.of(row.get(row.size() - 1));
        List<SqliteValue> out = new ArrayList<>();
        for (String k : keyFields) out.add(row.get(fields.indexOf(k)));
        return out;
    }

    /** Binds a key value with its own storage class, so that it compares equal to the stored one. */
    static void bind(PreparedStatement ps, int i, SqliteValue v) throws SQLException {
        switch (v.storageClass()) {
            case NULL -> ps.setNull(i, Types.NULL);
            case INTEGER -> ps.setLong(i, v.asLong());
            case REAL -> ps.setDouble(i, v.asDouble());
            case TEXT -> ps.setString(i, new String(v.asBytes(), StandardCharsets.UTF_8));
            case BLOB -> ps.setBytes(i, v.asBytes());
        }
    }

    @Override
    public void close() throws SQLException {
        lookup.close();
        if (last != null) last.close();
    }
}

package io.replicator.translate.schema;

import io.replicator.core.model.SqliteTable;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.SQLException;
import java.util.List;

import static io.replicator.core.Identifiers.sqlite;

/**
 * How the rows of a SQLite table are told apart, the one rule that capture (the changelog's key), the planner (the
 * copy's key), the sink (what it upserts by) and the rollback (what its key log records) all follow: the table's
 * primary key when it has one and no row holds a NULL in it, else SQLite's rowid. The rowid is selected under the
 * first of {@code rowid}, {@code _rowid_}, {@code oid} that no column hides, and carried in PostgreSQL by the added
 * column {@value #ROWID_COLUMN}. On the PostgreSQL side the same rule reads
 * {@link PgCatalog#keyColumns}: the primary key, else that column.
 *
 * @param primaryKey  true when the primary key identifies rows
 * @param rowidSelect how SQLite's rowid is selected, or null when every alias is hidden by a column
 */
public record RowIdentity(boolean primaryKey, List<String> primaryKeyColumns, String rowidSelect) {
    /** Name of the column added to tables without a usable primary key to carry SQLite's rowid. */
    public static final String ROWID_COLUMN = "_sqlite_rowid";

    /** The identity of {@code t}'s rows; reads the table to see whether its primary key holds NULLs. */
    public static RowIdentity of(Connection c, SqliteTable t) throws SQLException {
        boolean pk = !t.primaryKey().isEmpty() && !primaryKeyHasNulls(c, t);
        return new RowIdentity(pk, pk ? t.primaryKey() : List.of(), rowidSelect(t));
    }

    /** True when a row holds a NULL in a primary-key column (SQLite allows it unless the column is the rowid or NOT NULL). */
    public static boolean primaryKeyHasNulls(Connection c, SqliteTable t) throws SQLException {
        List<String> nullable = t.primaryKey().stream().filter(k -> !k.equals(t.rowidAlias())).toList();
        if (nullable.isEmpty()) return false;
        String where = String.join(" OR ", nullable.stream().map(k -> sqlite(k) + " IS NULL").toList());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + sqlite(t.name()) + " WHERE " + where + ")")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    /** How the rowid of {@code t} can be selected, or null when columns named rowid, _rowid_ and oid hide it. */
    public static String rowidSelect(SqliteTable t) {
        for (String cand : List.of("rowid", "_rowid_", "oid")) if (t.column(cand).isEmpty()) return cand;
        return null;
    }
}

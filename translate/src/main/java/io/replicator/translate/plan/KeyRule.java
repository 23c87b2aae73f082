package io.replicator.translate.plan;

import io.replicator.translate.schema.RowIdentity;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.replicator.translate.schema.RowIdentity.ROWID_COLUMN;

/**
 * The copy's key by {@link RowIdentity} (the rule capture, sink and rollback follow too), with the planner's
 * refusals and notes: a table whose rowid cannot be selected (every alias shadowed by a column) or that already has
 * a column named {@value RowIdentity#ROWID_COLUMN} is refused, since replication without a key could not be exact.
 */
final class KeyRule {
    private KeyRule() {}

    /**
     * @param primaryKeyUsable the primary key identifies rows
     * @param rowidSelect      how SQLite's rowid is selected ({@code rowid}, {@code _rowid_} or {@code oid}), or null
     * @param rowidColumn      {@value RowIdentity#ROWID_COLUMN} when the rowid is the key, else null
     */
    record Key(boolean primaryKeyUsable, String rowidSelect, String rowidColumn) {
        /** The PostgreSQL columns of the key. */
        List<String> pgColumns(SqliteTable t, Map<String, String> colNames) {
            List<String> keyPg = new ArrayList<>();
            if (primaryKeyUsable) for (String k : t.primaryKey()) keyPg.add(colNames.get(k));
            else keyPg.add(rowidColumn);
            return keyPg;
        }
    }

    /** Decides the key of {@code t}; a rowid key is explained by a NOTE. */
    static Key decide(Connection c, SqliteTable t, Map<String, String> colNames, List<Problem> problems) throws SQLException {
        RowIdentity id = RowIdentity.of(c, t);
        boolean pkUsable = id.primaryKey();
        String rowidSelect = null;
        String rowidCol = null;
        if (!pkUsable) {
            rowidSelect = id.rowidSelect();
            if (rowidSelect == null) {
                throw new ReplicatorException(ExitCode.DATA_LOSS, "table " + t.name()
                        + " has no usable primary key and columns named rowid, _rowid_ and oid hide its rowid; rows cannot be told apart for replication. Add a primary key in SQLite first.");
            }
            rowidCol = ROWID_COLUMN;
            if (colNames.containsValue(rowidCol)) {
                throw ReplicatorException.config("table " + t.name() + " has no usable primary key and already has a column named " + ROWID_COLUMN + "; rename that column first");
            }
            problems.add(new Problem(Problem.Level.NOTE, t.name(), null, (t.primaryKey().isEmpty() ? "no primary key" : "primary key " + t.primaryKey() + " holds NULLs")
                    + ": column " + ROWID_COLUMN + " (bigint identity, unique) is added to carry SQLite's rowid, which the change feed uses as the row's key. "
                    + "VACUUM may renumber rowids of such tables; the feed detects it"));
        }
        return new Key(pkUsable, rowidSelect, rowidCol);
    }
}

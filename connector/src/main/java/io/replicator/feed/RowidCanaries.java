package io.replicator.feed;

import io.replicator.translate.schema.RowIdentity;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.SqliteValue;
import io.replicator.translate.plan.Planner;

import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Detects a VACUUM that renumbered rowids. Tables without an INTEGER PRIMARY KEY are keyed by rowid, and
 * VACUUM may give their rows new rowids without any trigger firing. When there are gaps, renumbering always
 * moves the row with the highest rowid, so the feed remembers that row; if it changes while the changelog
 * says nothing happened to the table, the rowids were renumbered and the feed stops instead of publishing
 * rows under keys that no longer mean what PostgreSQL thinks.
 */
final class RowidCanaries {
    private final Map<String, List<SqliteValue>> last = new HashMap<>();

    /** Checks (and then remembers) the last row of each rowid-keyed table; {@code touched} had changelog entries. */
    void check(Collection<CapturedTable> tables, Set<String> touched, String path) throws SQLException {
        for (CapturedTable t : tables) {
            if (!t.byRowid) continue;
            List<SqliteValue> now = t.lastRow();
            if (last.containsKey(t.name()) && !touched.contains(t.name()) && !sameRow(last.get(t.name()), now)) {
                throw new ReplicatorException(ExitCode.DATA_LOSS, "the rowids of table " + t.name() + " in " + path
                        + " were renumbered (by VACUUM) with no change logged: the table has no INTEGER PRIMARY KEY, so the feed and"
                        + " PostgreSQL (column " + RowIdentity.ROWID_COLUMN + ") identify its rows by rowid, and those no longer match."
                        + " Nothing wrong was published. Take a new snapshot; to avoid this, give the table an INTEGER PRIMARY KEY"
                        + " or do not VACUUM while replicating");
            }
            last.put(t.name(), now);
        }
    }

    /**
     * Same rowid and same values in the columns both have: a column added since (ALTER TABLE ADD COLUMN)
     * does not count as a change. The rowid is the last value of a row.
     */
    private static boolean sameRow(List<SqliteValue> before, List<SqliteValue> now) {
        if (before == null || now == null) return before == now;
        if (!Objects.equals(before.get(before.size() - 1), now.get(now.size() - 1))) return false;
        int common = Math.min(before.size(), now.size()) - 1;
        return before.subList(0, common).equals(now.subList(0, common));
    }

    /** Keeps only the tables still captured (a schema reload keeps what is known of the others). */
    void retain(Collection<String> tables) {
        last.keySet().retainAll(tables);
    }

    void forget(Collection<String> tables) {
        tables.forEach(last::remove);
    }
}

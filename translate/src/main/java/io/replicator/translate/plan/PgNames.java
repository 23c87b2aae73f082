package io.replicator.translate.plan;

import io.replicator.core.Identifiers;
import io.replicator.core.NameAllocator;
import io.replicator.core.model.SqliteColumn;
import io.replicator.core.model.SqliteTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PostgreSQL names of tables, columns and indexes. Tables of a schema and columns of a table go through
 * {@link NameAllocator} (kept within 63 bytes, else cut or hashed deterministically) and every rename becomes a
 * NOTE; index names share the relation namespace with the tables and get a numeric suffix on a clash. The same
 * schema always yields the same names, so the snapshot, the feed and the sink agree.
 */
final class PgNames {
    private PgNames() {}

    /** SQLite table name → PostgreSQL table name. */
    static Map<String, String> tables(List<SqliteTable> tables, List<Problem> problems) {
        List<NameAllocator.Renamed> renamed = new ArrayList<>();
        Map<String, String> names = NameAllocator.allocate(tables.stream().map(SqliteTable::name).toList(), renamed);
        for (NameAllocator.Renamed r : renamed) problems.add(new Problem(Problem.Level.NOTE, r.original(), null, "table renamed to " + r.assigned() + ": " + r.reason()));
        return names;
    }

    /** SQLite column name → PostgreSQL column name, for the stored columns of {@code t}. */
    static Map<String, String> columns(SqliteTable t, List<Problem> problems) {
        List<NameAllocator.Renamed> renamed = new ArrayList<>();
        Map<String, String> names = NameAllocator.allocate(t.storedColumns().stream().map(SqliteColumn::name).toList(), renamed);
        for (NameAllocator.Renamed r : renamed) problems.add(new Problem(Problem.Level.NOTE, t.name(), r.original(), "column renamed to " + r.assigned() + ": " + r.reason()));
        return names;
    }

    /** Index names share PostgreSQL's relation namespace with tables: cut to 63 bytes and made unique deterministically. */
    static String uniqueRelation(String wanted, Set<String> used) {
        String name = Identifiers.truncateUtf8(wanted, Identifiers.PG_MAX_BYTES);
        if (used.add(name)) return name;
        for (int i = 1; ; i++) {
            String suffix = "_" + i;
            String cand = Identifiers.truncateUtf8(wanted, Identifiers.PG_MAX_BYTES - suffix.length()) + suffix;
            if (used.add(cand)) return cand;
        }
    }
}

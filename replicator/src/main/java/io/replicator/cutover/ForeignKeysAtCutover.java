package io.replicator.cutover;

import io.replicator.sink.ForeignKey;
import io.replicator.sink.HeldAside;
import io.replicator.sink.Orphans;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;

/**
 * Foreign keys at the flip. While replicating, rows that break a foreign key are carried exactly (SQLite holds
 * them whenever the application runs with foreign keys off); PostgreSQL's catalog must not then claim a key is
 * validated when rows break it (a dump of the database would not restore). So, inside the write pause and without
 * scanning a table: a key rows break is made NOT VALID (it checks every new row, as PostgreSQL always does, but
 * not those old ones); keys held aside while replicating ({@link HeldAside}) are put back NOT VALID; after the flip
 * those with no orphans are validated (a scan that does not block the application's writes).
 */
final class ForeignKeysAtCutover {
    private ForeignKeysAtCutover() {}

    /** What the cutover says when it refuses to flip over orphans. */
    static String refusal(Orphans.Report r) {
        return r.total() + " row(s) break foreign keys in SQLite (the application writes with PRAGMA foreign_keys off, so SQLite never"
                + " checked them):\n" + r.describe() + "\nFix those rows in SQLite (delete them or give them a parent) and cut over again, or cut"
                + " over with --allow-orphans: the rows move as they are and those keys become NOT VALID (checked for new rows only)";
    }

    /** In the caller's transaction: final form of every key, no table scanned. Returns the keys to validate after the flip. */
    static List<ForeignKey> settle(Connection c, String schema, Orphans.Report r) throws SQLException {
        Set<String> broken = new HashSet<>();
        for (Orphans.Broken b : r.broken()) broken.add(b.table() + "." + b.constraint());
        try (Statement s = c.createStatement()) {
            for (ForeignKey fk : ForeignKey.inSchema(c, schema)) {
                if (!fk.validated() || !broken.contains(fk.table() + "." + fk.name())) continue;
                s.execute("ALTER TABLE " + pg(schema, fk.table()) + " DROP CONSTRAINT " + pg(fk.name()));
                s.execute("ALTER TABLE " + pg(schema, fk.table()) + " ADD CONSTRAINT " + pg(fk.name()) + " " + fk.definition() + " NOT VALID");
            }
        }
        List<ForeignKey> held = HeldAside.foreignKeys(c, schema);
        Set<String> names = new HashSet<>();
        for (ForeignKey fk : held) names.add(fk.name());
        HeldAside.restore(c, schema, names);
        List<ForeignKey> later = new ArrayList<>();
        for (ForeignKey fk : held) if (fk.validated() && !broken.contains(fk.table() + "." + fk.name())) later.add(fk);
        return later;
    }

    /** After the flip: validates the keys put back NOT VALID that no row breaks. */
    static void validate(Connection c, String schema, List<ForeignKey> keys) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (ForeignKey fk : keys) s.execute("ALTER TABLE " + pg(schema, fk.table()) + " VALIDATE CONSTRAINT " + pg(fk.name()));
        }
    }
}

package io.replicator.run;

import io.replicator.core.testing.TestPostgres;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.VerifyReport;
import io.replicator.verify.Verifier;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What must hold once PostgreSQL has caught up with {@link ShopWriter}'s SQLite file, whatever failed on the way:
 * every row of every table equal by value, the sum of balances intact, and every log line the application
 * committed present exactly once (none lost, none applied twice as a second row).
 */
final class ShopOutcome {
    private ShopOutcome() {}

    static void assertConverged(Path db, String schema, ShopWriter writer, String context) throws Exception {
        VerifyReport v = new Verifier(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 20).run();
        assertTrue(v.equal(), () -> context + ": every row equal: " + v);
        List<Long> lines = new ArrayList<>();
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM \"" + schema + "\".customers")) {
                rs.next();
                assertEquals(ShopWriter.TOTAL, rs.getLong(1), context + ": the sum of balances");
            }
            try (ResultSet rs = s.executeQuery("SELECT at FROM \"" + schema + "\".log")) {
                while (rs.next()) lines.add(rs.getLong(1));
            }
        }
        Set<Long> distinct = new HashSet<>(lines);
        assertEquals(lines.size(), distinct.size(), context + ": no log line applied twice");
        Set<Long> missing = new HashSet<>(writer.logged);
        missing.removeAll(distinct);
        assertEquals(Set.of(), missing, context + ": every committed log line is in PostgreSQL");
        assertEquals(writer.logged.size(), lines.size(), context + ": PostgreSQL holds only the log lines the application committed");
        assertTrue(writer.logged.size() > 10, context + ": the application wrote while replicating: " + writer.logged.size() + " log lines");
    }
}

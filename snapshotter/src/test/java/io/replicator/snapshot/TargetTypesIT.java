package io.replicator.snapshot;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.translate.types.ConflictPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Column types the application's framework makes on PostgreSQL, chosen with --type: interval (Django's
 * DurationField keeps bigint microseconds in SQLite, SQLAlchemy's Interval a DATETIME relative to 1970),
 * timestamp(3) (Prisma) and character varying without a length (Rails).
 */
class TargetTypesIT {
    @TempDir
    Path dir;

    private static final List<String> TYPES = List.of("ticket.warranty=interval", "ticket.grace=interval", "ticket.created_at=timestamp(3)",
            "ticket.note=character varying");

    private Path ticketDb(String name, String createdAt) throws Exception {
        return SqliteFiles.create(dir, name,
                "CREATE TABLE ticket (id integer PRIMARY KEY, warranty bigint, grace DATETIME, created_at datetime, note varchar)",
                "INSERT INTO ticket VALUES (1, 27729327252175, '1970-01-31 00:00:00.000000', '" + createdAt + "', '" + "ß".repeat(300) + "'),"
                        + " (2, -1, '1969-12-31 23:59:59.999999', '2026-01-01 00:00:00', 'short'), (3, NULL, NULL, NULL, NULL)");
    }

    @Test
    void intervalTimestamp3AndUnboundedVarcharTakeTheirValuesExactly() throws Exception {
        Path f = ticketDb("types.db", "2026-11-29 20:21:11.123");
        String schema = TestPostgres.freshSchema("target_types");
        Snap.snapshot(f, schema, JournalPolicy.REFUSE, TYPES, ConflictPolicy.REFUSE, false);
        try (Connection c = TestPostgres.connect()) {
            assertEquals("interval", EdgeValuesIT.columnType(c, schema, "ticket", "warranty"));
            assertEquals("interval", EdgeValuesIT.columnType(c, schema, "ticket", "grace"));
            assertEquals("timestamp(3) without time zone", EdgeValuesIT.columnType(c, schema, "ticket", "created_at"));
            assertEquals("character varying", EdgeValuesIT.columnType(c, schema, "ticket", "note"));
        }
        assertEquals(List.of("7702:35:27.252175|720:00:00|2026-11-29 20:21:11.123|300",
                        "-00:00:00.000001|-00:00:00.000001|2026-01-01 00:00:00|5", "null|null|null|null"),
                rows("SELECT coalesce(warranty::text, 'null') || '|' || coalesce(grace::text, 'null') || '|'"
                        + " || coalesce(created_at::text, 'null') || '|' || coalesce(length(note)::text, 'null') FROM \"" + schema + "\".ticket ORDER BY id"));
        assertTrue(Snap.verify(f, schema).equal());
    }

    @Test
    void verifyComparesIntervalsAsPostgresqlEquatesThem() throws Exception {
        Path f = ticketDb("equiv.db", "2026-11-29 20:21:11.123");
        String schema = TestPostgres.freshSchema("target_types");
        Snap.snapshot(f, schema, JournalPolicy.REFUSE, TYPES, ConflictPolicy.REFUSE, false);
        // the application writes months and years; SQLite holds the same span in days
        pg("UPDATE \"" + schema + "\".ticket SET grace = '1 mon', warranty = '1 year 2 days 00:00:00.000001' WHERE id = 1");
        sqlite(f, "UPDATE ticket SET warranty = (362 * 86400) * 1000000 + 1 WHERE id = 1");
        assertTrue(Snap.verify(f, schema).equal(), "1 mon = 30 days and 1 year = 360 days, as PostgreSQL compares intervals");
        pg("UPDATE \"" + schema + "\".ticket SET warranty = warranty + interval '1 microsecond' WHERE id = 1");
        assertFalse(Snap.verify(f, schema).equal(), "one microsecond is a difference");
    }

    @Test
    void aValueWithMoreFractionalDigitsThanTimestamp3KeepsStopsTheSnapshot() throws Exception {
        Path f = ticketDb("rounding.db", "2026-11-29 20:21:11.123456");
        String schema = TestPostgres.freshSchema("target_types");
        ReplicatorException e = assertThrows(ReplicatorException.class,
                () -> Snap.snapshot(f, schema, JournalPolicy.REFUSE, TYPES, ConflictPolicy.REFUSE, false));
        assertEquals(ExitCode.DATA_LOSS, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("ticket.created_at") && e.getMessage().contains("id=1")
                && e.getMessage().contains("more fractional digits than timestamp(3) keeps"), e.getMessage());
        assertEquals(0, RealFilesIT.count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'"), "nothing rounded was left behind");
    }

    @Test
    void anIntervalTextWithAnOffsetStopsTheSnapshot() throws Exception {
        Path f = ticketDb("offset.db", "2026-11-29 20:21:11.123");
        sqlite(f, "UPDATE ticket SET grace = '1970-01-02 00:00:00+01:00' WHERE id = 2");
        String schema = TestPostgres.freshSchema("target_types");
        ReplicatorException e = assertThrows(ReplicatorException.class,
                () -> Snap.snapshot(f, schema, JournalPolicy.REFUSE, TYPES, ConflictPolicy.REFUSE, false));
        assertEquals(ExitCode.DATA_LOSS, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("ticket.grace") && e.getMessage().contains("id=2") && e.getMessage().contains("UTC offset"), e.getMessage());
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static void pg(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void sqlite(Path f, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

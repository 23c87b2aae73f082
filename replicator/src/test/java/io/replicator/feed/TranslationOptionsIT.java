package io.replicator.feed;

import io.replicator.capture.CaptureInstaller;
import io.replicator.capture.CaptureStatus;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.state.SinkState;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.Sqlite3;
import io.replicator.testing.TestKafka;
import io.replicator.translate.plan.PlanOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user's translation options are stored with the snapshot and used by the sink: a column and a table added
 * while streaming get the type {@code --type} asked for, not the default rule's. (The sink planned schema changes
 * with default options, so --type and --on-type-conflict were silently ignored for them.)
 */
class TranslationOptionsIT {
    @TempDir
    Path dir;

    @Test
    void typeOptionsApplyToAColumnAndATableAddedWhileStreaming() throws Exception {
        Path db = SqliteFiles.create(dir, "options.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)", "INSERT INTO t VALUES (1, 1)");
        String schema = TestPostgres.freshSchema("options");
        SqliteSource src = SqliteSource.of(db.toString());
        new CaptureInstaller(src).install();
        PlanOptions options = PlanOptions.of(schema, List.of("t.b=text", "notes.body=varchar(20)"), "refuse");
        new Snapshotter(src, TestPostgres.target(), new SnapshotOptions(options, 1, JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state"));
        try (Connection pg = TestPostgres.connect()) {
            SinkState.ensure(pg);
            SinkState.reset(pg, schema, fs.topic(), 0, -1);
        }
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()))) {
            Sqlite3.exec(db, "ALTER TABLE t ADD COLUMN b INTEGER; INSERT INTO t VALUES (2, 2, 42);"
                    + " CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'hi');");
            long end = CaptureStatus.read(src).capturedSeq();
            long deadline = System.currentTimeMillis() + 30_000;
            while (sink.appliedSeq() < end) {
                if (sink.failure() != null) throw sink.failure();
                assertTrue(System.currentTimeMillis() < deadline, "the sink did not reach seq " + end);
                Thread.sleep(10);
            }
        }
        assertEquals("text", columnType(schema, "t", "b"), "the default rule would make an INTEGER column bigint");
        assertEquals("character varying(20)", columnType(schema, "notes", "body"), "the default rule would make a TEXT column text");
    }

    @Test
    void aTableADjangoAppAddsWhileStreamingIsMadeAsDjangoMakesIt() throws Exception {
        // The sink plans an added table alone, without django_migrations beside it: the framework found by the
        // snapshot, stored with its options, is what tells it that datetime is timestamptz and keys are deferred.
        Path db = SqliteFiles.create(dir, "django.db",
                "CREATE TABLE django_migrations (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL, name varchar(255) NOT NULL,"
                        + " applied datetime NOT NULL)",
                "CREATE TABLE shop_customer (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name varchar(100) NOT NULL)",
                "INSERT INTO shop_customer VALUES (1, 'Ada')");
        String schema = TestPostgres.freshSchema("options_django");
        SqliteSource src = SqliteSource.of(db.toString());
        new CaptureInstaller(src).install();
        new Snapshotter(src, TestPostgres.target(), new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 1, JournalPolicy.REFUSE, false),
                SnapshotProgress.NONE).run();
        FeedSettings fs = FeedSettings.defaults(db, 0, dir.resolve("state-django"));
        try (Connection pg = TestPostgres.connect()) {
            SinkState.ensure(pg);
            SinkState.reset(pg, schema, fs.topic(), 0, -1);
        }
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, TestPostgres.target()))) {
            Sqlite3.exec(db, "CREATE TABLE shop_visit (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, at datetime NOT NULL,"
                    + " customer_id bigint NOT NULL REFERENCES shop_customer (id) DEFERRABLE INITIALLY DEFERRED);"
                    + " INSERT INTO shop_visit VALUES (1, '2026-11-29 20:21:11.123456', 1);");
            // the new table's row arrives with or after its schema event
            Await.until("the added table's row in PostgreSQL", Duration.ofSeconds(30), () -> rows(schema, "shop_visit") == 1,
                    () -> "sink at seq " + sink.appliedSeq() + ", failure " + sink.failure());
        }
        assertEquals("timestamp with time zone", columnType(schema, "shop_visit", "at"), "Django's DateTimeField on PostgreSQL (USE_TZ)");
    }

    private static long rows(String schema, String table) throws Exception {
        try (Connection c = TestPostgres.connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_class WHERE relname = ?"
                + " AND relnamespace = ?::regnamespace")) {
            ps.setString(1, table);
            ps.setString(2, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) return 0;
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM \"" + schema + "\"." + table)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String columnType(String schema, String table, String column) throws Exception {
        try (Connection c = TestPostgres.connect(); PreparedStatement ps = c.prepareStatement("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass AND attname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no column " + table + "." + column);
                return rs.getString(1);
            }
        }
    }
}

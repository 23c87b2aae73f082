package io.replicator.snapshot;

import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.testing.TestPostgres;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.translate.plan.Problem;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.verify.VerifyReport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of testdata/corpus (real SQLite files written by Django, Rails, Prisma, Laravel, SQLAlchemy and other
 * applications; provenance in corpus.tsv) is snapshotted with the defaults a user gets and then checked the way
 * the application will use PostgreSQL after the cutover:
 * <ul>
 *   <li>lossless: verify finds every row and value equal;</li>
 *   <li>no deferrable primary key or unique constraint (ON CONFLICT cannot use one; the sink needs it);</li>
 *   <li>every plain unique index and primary key is accepted as an ON CONFLICT target, as the ORMs' upserts use it;</li>
 *   <li>every foreign key SQLite declares exists in PostgreSQL, unless the plan said why not (a key SQLite itself
 *       rejects as a mismatch);</li>
 *   <li>declared names kept: every index the application created and every {@code CONSTRAINT name} it wrote.</li>
 * </ul>
 */
class CorpusIT {
    private static final Path CORPUS = Path.of("..", "testdata", "corpus");
    private static final Pattern NAMED_CONSTRAINT = Pattern.compile("CONSTRAINT\\s+[\"`\\[]?(\\w+)[\"`\\]]?\\s+(?:PRIMARY|UNIQUE|CHECK|FOREIGN)",
            Pattern.CASE_INSENSITIVE);

    @TempDir
    Path dir;

    static Stream<String> files() throws IOException {
        return Files.readAllLines(CORPUS.resolve("corpus.tsv")).stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split("\t")[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void migratesAsTheApplicationWillUseIt(String file) throws Exception {
        Path copy = dir.resolve(file);
        Files.copy(CORPUS.resolve(file), copy); // some carry a WAL header: never open the committed file itself
        String schema = TestPostgres.freshSchema("corpus");
        SnapshotReport r = Snap.snapshot(copy, schema, JournalPolicy.LOCK, List.of(), ConflictPolicy.REFUSE, false);
        VerifyReport v = Snap.verify(copy, schema);
        assertTrue(v.equal(), () -> file + ": verify found differences: " + v);
        assertEquals(r.rows(), v.tables().stream().mapToLong(VerifyReport.TableResult::postgresRows).sum(), file);

        try (Connection pg = TestPostgres.connect(); Connection sqlite = DriverManager.getConnection("jdbc:sqlite:file:" + copy + "?mode=ro&immutable=1")) {
            assertEquals(List.of(), deferrableKeys(pg, schema), file + ": deferrable primary or unique keys");
            assertEquals(List.of(), unusableConflictTargets(pg, schema), file + ": unique indexes ON CONFLICT refuses");
            long fkNotCreated = r.problems().stream().filter(p -> p.level() == Problem.Level.WARNING && p.message().startsWith("foreign key")
                    && p.message().contains("not created")).count();
            assertEquals(sqliteForeignKeys(sqlite), pgForeignKeys(pg, schema) + fkNotCreated, file + ": foreign keys declared in SQLite vs made in PostgreSQL"
                    + " (+ those the plan said it could not make): " + r.problems());
            TreeSet<String> pgNames = pgNames(pg, schema);
            List<String> lost = declaredNames(sqlite).stream().filter(n -> !pgNames.contains(n)).toList();
            assertEquals(List.of(), lost, file + ": index and constraint names the application declared, missing in PostgreSQL");
            for (var e : FRAMEWORK_TYPES.entrySet()) {
                String[] tc = e.getKey().split("\\.");
                List<String> got = strings(pg, "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND a.attname = ?", schema, tc[0], tc[1]);
                if (!got.isEmpty()) assertEquals(e.getValue(), got.get(0), file + ": " + e.getKey() + " as its framework makes it on PostgreSQL");
            }
        }
    }

    /** Columns of the frameworks' own bookkeeping tables, with the type each framework gives them on PostgreSQL. */
    private static final Map<String, String> FRAMEWORK_TYPES = Map.of(
            "django_migrations.applied", "timestamp with time zone",
            "django_session.session_key", "character varying(40)",
            "django_content_type.app_label", "character varying(100)",
            "schema_migrations.version", "character varying",
            "ar_internal_metadata.key", "character varying",
            "migrations.migration", "character varying",
            "alembic_version.version_num", "character varying(32)",
            "_prisma_migrations.finished_at", "timestamp(3) with time zone",
            "Habit.createdAt", "timestamp(3) without time zone");

    private static List<String> deferrableKeys(Connection pg, String schema) throws SQLException {
        return strings(pg, "SELECT conname FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace"
                + " WHERE n.nspname = ? AND co.contype IN ('p', 'u') AND co.condeferrable", schema);
    }

    /** Each unique index without predicate or expression, tried as the target of an upsert that inserts nothing. */
    private static List<String> unusableConflictTargets(Connection pg, String schema) throws SQLException {
        Map<String, String[]> targets = new TreeMap<>();
        try (PreparedStatement ps = pg.prepareStatement("SELECT i.relname, t.relname, array_agg(a.attname ORDER BY k.ord)::text[]"
                + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
                + " WHERE n.nspname = ? AND x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL GROUP BY i.relname, t.relname")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] cols = (String[]) rs.getArray(3).getArray();
                    String[] v = new String[cols.length + 1];
                    v[0] = rs.getString(2);
                    System.arraycopy(cols, 0, v, 1, cols.length);
                    targets.put(rs.getString(1), v);
                }
            }
        }
        assertTrue(!targets.isEmpty(), "every corpus file has at least one key");
        List<String> refused = new ArrayList<>();
        pg.setAutoCommit(false);
        for (var e : targets.entrySet()) {
            String table = q(schema) + "." + q(e.getValue()[0]);
            String cols = String.join(", ", Stream.of(e.getValue()).skip(1).map(CorpusIT::q).toList());
            try (Statement s = pg.createStatement()) {
                s.execute("INSERT INTO " + table + " (" + cols + ") OVERRIDING SYSTEM VALUE SELECT " + cols + " FROM " + table + " WHERE false"
                        + " ON CONFLICT (" + cols + ") DO NOTHING");
            } catch (SQLException ex) {
                refused.add(e.getKey() + ": " + ex.getMessage());
            }
            pg.rollback();
        }
        pg.setAutoCommit(true);
        return refused;
    }

    private static long sqliteForeignKeys(Connection sqlite) throws SQLException {
        long n = 0;
        for (String t : strings(sqlite, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'")) {
            try (Statement s = sqlite.createStatement(); ResultSet rs = s.executeQuery("SELECT count(DISTINCT id) FROM pragma_foreign_key_list(" + lit(t) + ")")) {
                rs.next();
                n += rs.getLong(1);
            }
        }
        return n;
    }

    private static long pgForeignKeys(Connection pg, String schema) throws SQLException {
        return strings(pg, "SELECT conname FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = ? AND co.contype = 'f'",
                schema).size();
    }

    /** Index names the application created (not SQLite's automatic ones) and the names it gave its constraints. */
    private static List<String> declaredNames(Connection sqlite) throws SQLException {
        List<String> names = new ArrayList<>(strings(sqlite, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"));
        for (String sql : strings(sqlite, "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")) {
            Matcher m = NAMED_CONSTRAINT.matcher(sql);
            while (m.find()) names.add(m.group(1));
        }
        return names.stream().map(n -> n.length() > 63 ? n.substring(0, 63) : n).toList();
    }

    private static TreeSet<String> pgNames(Connection pg, String schema) throws SQLException {
        TreeSet<String> names = new TreeSet<>(strings(pg, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind = 'i'", schema));
        names.addAll(strings(pg, "SELECT conname FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = ?", schema));
        return names;
    }

    private static List<String> strings(Connection c, String sql, String... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String q(String id) {
        return "\"" + id.replace("\"", "\"\"") + "\"";
    }

    private static String lit(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}

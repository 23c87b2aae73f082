package io.replicator.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** SQLite files for tests: fresh ones from SQL, and writable copies of the shared real-world files. */
public final class SqliteFiles {
    private SqliteFiles() {}

    /** A new WAL-mode SQLite file built by running {@code statements}. */
    public static Path create(Path dir, String name, String... statements) throws SQLException {
        Path p = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            for (String sql : statements) s.execute(sql);
        }
        return p;
    }

    /** The directory of the shared real-world SQLite files (../shared/testdata/sqlite beside the repository). */
    public static Path sharedTestdata() {
        String env = System.getenv("REPLICATOR_TESTDATA");
        if (env != null) return Path.of(env);
        String home = System.getenv("REPLICATOR_HOME");
        Path root = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
        for (Path p = root; p != null; p = p.getParent()) {
            Path cand = p.resolve("../shared/testdata/sqlite").normalize();
            if (Files.isDirectory(cand)) return cand;
            cand = p.resolve("shared/testdata/sqlite");
            if (Files.isDirectory(cand)) return cand;
        }
        throw new IllegalStateException("shared/testdata/sqlite not found beside the repository; set REPLICATOR_TESTDATA");
    }

    /** A writable copy of a shared file (the originals are read-only). */
    public static Path copyOf(String file, Path dir) throws IOException {
        Path dst = dir.resolve(file);
        Files.copy(sharedTestdata().resolve(file), dst, StandardCopyOption.REPLACE_EXISTING);
        dst.toFile().setWritable(true);
        return dst;
    }
}

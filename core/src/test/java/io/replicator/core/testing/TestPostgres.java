package io.replicator.core.testing;

import io.replicator.core.PostgresUrl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real PostgreSQL the integration tests use: {@code TEST_DATABASE_URL} when set; else a Testcontainers
 * PostgreSQL when a Docker engine exists; else the machine's server at 127.0.0.1:5432 (database
 * {@code replicator_test}, created by .ci/run). Never a mock.
 */
public final class TestPostgres {
    private static volatile String url;
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private TestPostgres() {}

    public static synchronized String url() {
        if (url != null) return url;
        String env = System.getenv("TEST_DATABASE_URL");
        if (env != null && !env.isBlank()) {
            url = env;
        } else if (dockerAvailable()) {
            url = ContainerHolder.start();
        } else {
            url = "postgresql://postgres@127.0.0.1:5432/replicator_test";
            createLocalDatabaseIfMissing();
        }
        return url;
    }

    public static PostgresUrl target() {
        return PostgresUrl.parse(url());
    }

    public static Connection connect() throws SQLException {
        PostgresUrl u = target();
        return DriverManager.getConnection(u.jdbcUrl(), u.properties("replicator-test"));
    }

    /** A fresh, empty schema name unique to this JVM run; any leftover of the same name is dropped. */
    public static String freshSchema(String prefix) {
        String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet()).toLowerCase();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
            s.execute("CREATE SCHEMA IF NOT EXISTS replicator");
            s.execute("DO $$ BEGIN IF to_regclass('replicator.snapshot_run') IS NOT NULL THEN "
                    + "DELETE FROM replicator.snapshot_table WHERE target_schema = '" + name + "'; "
                    + "DELETE FROM replicator.snapshot_run WHERE target_schema = '" + name + "'; END IF; END $$");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the test PostgreSQL at " + target().redacted() + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** On the machine's server, creates replicator_test once, so `mvn test` works on a fresh machine. */
    private static void createLocalDatabaseIfMissing() {
        PostgresUrl admin = PostgresUrl.parse("postgresql://postgres@127.0.0.1:5432/postgres");
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.properties("replicator-test")); Statement s = c.createStatement()) {
            try (var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'replicator_test'")) {
                if (rs.next()) return;
            }
            s.execute("CREATE DATABASE replicator_test");
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) {
                throw new IllegalStateException("no TEST_DATABASE_URL, no Docker, and the local PostgreSQL at 127.0.0.1:5432 cannot be used: " + e.getMessage()
                        + " (start it: pg_ctlcluster --skip-systemctl-redirect 15 main start, or set TEST_DATABASE_URL)", e);
            }
        }
    }

    private static boolean dockerAvailable() {
        try {
            Class<?> f = Class.forName("org.testcontainers.DockerClientFactory");
            Object inst = f.getMethod("instance").invoke(null);
            return (Boolean) f.getMethod("isDockerAvailable").invoke(inst);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when Docker exists, so the tests need no Docker classes otherwise. */
    private static final class ContainerHolder {
        static String start() {
            var c = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:16-alpine");
            c.start();
            return "postgresql://" + c.getUsername() + ":" + c.getPassword() + "@" + c.getHost() + ":" + c.getFirstMappedPort() + "/" + c.getDatabaseName();
        }
    }
}

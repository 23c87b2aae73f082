package io.replicator.cli;

import io.replicator.core.PostgresUrl;
import io.replicator.core.sqlite.SqliteSource;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** --sqlite, --postgres (DATABASE_URL), --postgres-password-file, --schema and --json, shared by every command. */
public final class SourceTargetOptions {
    @Option(names = "--sqlite", paramLabel = "PATH", description = "The SQLite database file; default: $SQLITE_PATH or replicator.sqlite in application.yml.")
    String sqlite;

    @Option(names = "--postgres", paramLabel = "URL",
            description = "postgresql://user:pass@host:port/db?sslmode=... or jdbc:postgresql://...; default: $DATABASE_URL.")
    String postgres;

    @Option(names = "--postgres-password-file", paramLabel = "FILE",
            description = "A file holding the PostgreSQL password (a mounted secret), for a URL without one; default: $REPLICATOR_POSTGRES_PASSWORD_FILE.")
    Path postgresPasswordFile;

    @Option(names = "--schema", defaultValue = "public", paramLabel = "NAME",
            description = "Target PostgreSQL schema (default: ${DEFAULT-VALUE}); several SQLite files can land side by side.")
    String schema;

    @Option(names = "--json", description = "Print a machine-readable JSON report on stdout.")
    boolean json;

    @Option(names = "--sqlite-busy-timeout", defaultValue = SqliteSource.DEFAULT_BUSY_TIMEOUT_SECONDS + "s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long every write of the tool into the SQLite file (capture install, the switch to WAL, the fences) waits for"
                    + " the application's transactions to let go of SQLite's lock before it gives up (default: ${DEFAULT-VALUE}).")
    Duration sqliteBusyTimeout;

    SqliteSource source() {
        return SqliteSource.of(sqlite).withBusyTimeout(sqliteBusyTimeout);
    }

    PostgresUrl target() {
        return PasswordFile.apply(PostgresUrl.parse(postgres != null ? postgres : System.getenv("DATABASE_URL")), postgresPasswordFile);
    }
}

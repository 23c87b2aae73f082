package io.replicator.cli;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.fleet.Store;
import io.replicator.fleet.StoresFile;
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

    @Option(names = "--stores", paramLabel = "FILE",
            description = "A fleet's stores file (YAML, see docs/fleet.md). run --stores FILE runs every store; any command with --stores FILE"
                    + " --store NAME works on that one store: its file, schema, topic and state.")
    Path stores;

    @Option(names = "--store", paramLabel = "NAME", description = "The store of --stores this command works on.")
    String store;

    /**
     * With {@code --stores FILE --store NAME}: this command's file and schema become the store's. Null without
     * {@code --store}; {@code --store} without {@code --stores} is refused.
     */
    Store applyStore() {
        if (store == null) return null;
        if (stores == null) throw ReplicatorException.config("--store " + store + " needs --stores FILE, the fleet's stores file");
        Store s = StoresFile.find(StoresFile.read(stores), store);
        sqlite = s.sqlite().toString();
        schema = s.schema();
        return s;
    }

    /** {@code --stores} without {@code --store}: the whole fleet (only run takes it). */
    boolean wholeFleet() {
        return stores != null && store == null;
    }

    SqliteSource source() {
        return SqliteSource.of(sqlite).withBusyTimeout(sqliteBusyTimeout);
    }

    PostgresUrl target() {
        return PasswordFile.apply(PostgresUrl.parse(postgres != null ? postgres : System.getenv("DATABASE_URL")), postgresPasswordFile);
    }
}

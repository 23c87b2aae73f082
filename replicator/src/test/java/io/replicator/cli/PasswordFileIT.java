package io.replicator.cli;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.testing.PgProtocolStub;
import io.replicator.core.testing.SqliteFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --postgres-password-file}: the password comes from a mounted secret, reaches the driver, and shows nowhere.
 * The server is {@link PgProtocolStub}, which asks for a password and refuses it: the machine's PostgreSQL trusts
 * local users and would accept any password or none, which would prove nothing.
 */
class PasswordFileIT {
    private static final String SECRET = "s3cret-from-a-file";

    @TempDir
    Path dir;

    @Test
    void thePasswordOfTheFileIsSentAndNeverShown() throws Exception {
        Path secret = Files.writeString(dir.resolve("pg-password"), SECRET + "\n");
        Path db = SqliteFiles.create(dir, "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        try (PgProtocolStub stub = new PgProtocolStub(PgProtocolStub.Script.REFUSE_PASSWORD)) {
            String url = "postgresql://app@127.0.0.1:" + stub.port() + "/db?sslmode=disable";
            CliIT.Run without = CliIT.run("verify", "--sqlite", db.toString(), "--postgres", url);
            assertEquals(2, without.code(), without.err());
            assertTrue(without.err().contains("wants a password"), "no password at all: " + without.err());

            CliIT.Run with = CliIT.run("verify", "--sqlite", db.toString(), "--postgres", url, "--postgres-password-file", secret.toString());
            assertEquals(2, with.code(), with.err());
            assertTrue(with.err().contains("password authentication failed"), "the driver sent the file's password, the server refused it: " + with.err());
            assertFalse((with.out() + with.err()).contains(SECRET), "the password is never shown");
        }
    }

    @Test
    void theFileIsReadWithoutItsLineBreakAndRefusedWhenAmbiguousOrEmpty() throws Exception {
        Path secret = Files.writeString(dir.resolve("pg-password"), SECRET + "\r\n");
        assertEquals(SECRET, PasswordFile.read(secret));
        PostgresUrl bare = PostgresUrl.parse("postgresql://app@h/d");
        assertEquals(SECRET, PasswordFile.apply(bare, secret).properties("t").getProperty("password"));
        assertEquals(bare, PasswordFile.apply(bare, null));

        ReplicatorException both = assertThrows(ReplicatorException.class,
                () -> PasswordFile.apply(PostgresUrl.parse("postgresql://app:inline-pw@h/d"), secret));
        assertEquals(ExitCode.BAD_CONFIG, both.exitCode());
        assertFalse(both.getMessage().contains("inline-pw") || both.getMessage().contains(SECRET), both.getMessage());

        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertTrue(assertThrows(ReplicatorException.class, () -> PasswordFile.read(empty)).getMessage().contains("is empty"));
        assertEquals(ExitCode.BAD_CONFIG, assertThrows(ReplicatorException.class, () -> PasswordFile.read(dir.resolve("missing"))).exitCode());
    }
}

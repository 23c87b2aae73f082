package io.replicator.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void theTokenFileIsOwnerOnlyAndReused() throws Exception {
        Path state = dir.resolve("state");
        String token = TokenFile.readOrCreate(state);
        assertTrue(token.matches("[0-9a-f]{48}"), token);
        Path f = state.resolve(TokenFile.NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(token + "\n", Files.readString(f));
        assertEquals(token, TokenFile.readOrCreate(state), "an existing token is kept across restarts");
    }

    @Test
    void anExistingFileIsReadNotReplaced() throws Exception {
        Files.writeString(dir.resolve(TokenFile.NAME), "chosen-by-the-operator\n");
        assertEquals("chosen-by-the-operator", TokenFile.readOrCreate(dir));
    }
}

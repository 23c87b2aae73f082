package io.replicator.control;

import io.replicator.core.ReplicatorException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The control plane's generated bearer token in {@code <state-dir>/http-token}: read when it exists, else created
 * with mode 600 in the same call that creates the file (never written first and restricted afterwards, which
 * would leave a moment in which others may open it), then filled. On a file system without POSIX modes the file
 * is created with the directory's defaults.
 */
public final class TokenFile {
    static final String NAME = "http-token";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private TokenFile() {}

    /** The token in {@code stateDir}, generated (24 random bytes, hex) into a new owner-only file when there is none. */
    public static String readOrCreate(Path stateDir) {
        Path f = stateDir.resolve(NAME);
        try {
            if (Files.exists(f)) return Files.readString(f, StandardCharsets.UTF_8).trim();
            Files.createDirectories(stateDir);
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            String t = HexFormat.of().formatHex(b);
            try {
                create(f);
            } catch (FileAlreadyExistsException raced) { // another process made it first: use its token
                return Files.readString(f, StandardCharsets.UTF_8).trim();
            }
            Files.writeString(f, t + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return t;
        } catch (IOException e) {
            throw ReplicatorException.runtime("cannot read or create the control plane token " + f + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path f) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            Files.createFile(f, ownerOnly);
        } else {
            Files.createFile(f);
        }
    }
}

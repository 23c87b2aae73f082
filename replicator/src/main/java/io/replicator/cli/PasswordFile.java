package io.replicator.cli;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --postgres-password-file}: the PostgreSQL password as the whole content of a file (one trailing line
 * break ignored), the way Docker and Kubernetes secrets are mounted, so that it is in no URL, command line or
 * environment. The URL must then carry no password of its own: two sources would leave the operator guessing
 * which one won. Messages name the file, never its content.
 */
final class PasswordFile {
    private PasswordFile() {}

    /** {@code url} with the password of {@code file}; {@code url} itself when {@code file} is null. */
    static PostgresUrl apply(PostgresUrl url, Path file) {
        if (file == null) return url;
        if (url.hasPassword()) {
            throw ReplicatorException.config("--postgres-password-file " + file + " is given but the PostgreSQL URL (" + url.redacted()
                    + ") has a password too: remove it from the URL");
        }
        return url.withPassword(read(file));
    }

    static String read(Path file) {
        String s;
        try {
            s = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ReplicatorException.config("--postgres-password-file: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
        if (s.isEmpty()) throw ReplicatorException.config("--postgres-password-file: " + file + " is empty");
        return s;
    }
}

package io.replicator.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The application side of a test: SQL run through the sqlite3 command-line program, with its defaults (foreign keys off). */
public final class Sqlite3 {
    private Sqlite3() {}

    public static void exec(Path db, String sql) throws Exception {
        Process p = new ProcessBuilder("sqlite3", db.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("sqlite3 did not finish in 30 s");
        if (p.exitValue() != 0) throw new AssertionError("sqlite3 failed: " + out);
    }
}

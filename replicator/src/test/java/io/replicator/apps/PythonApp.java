package io.replicator.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One of the framework applications of {@code testdata/apps} (a Django 3.2 app, a SQLAlchemy 1.4 + Alembic app,
 * from Debian's packages), driven through its command line with {@code /usr/bin/python3}, as its README says.
 */
final class PythonApp {
    static final Path APPS = locate();
    static final String PYTHON = "/usr/bin/python3";

    private final String name;
    private final Path work;

    PythonApp(String name, Path work) {
        this.name = name;
        this.work = work;
    }

    String name() {
        return name;
    }

    private Path script() {
        return APPS.resolve(name.equals("django") ? "django_app" : "sqlalchemy_app").resolve("app.py");
    }

    /** The result of one command: exit code, stdout, stderr. */
    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    /** A started command and the files its output goes to. */
    record Running(Process process, Path out, Path err) {}

    /** Runs {@code app.py args} against {@code appDb} and waits (at most 10 minutes). */
    Result run(String appDb, String... args) throws Exception {
        return await(start(appDb, args));
    }

    Running start(String appDb, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script().toString()));
        cmd.addAll(List.of(args));
        return python(cmd, appDb, args[0]);
    }

    /** Runs one of the helper scripts of testdata/apps ({@code dump_diff.py}, {@code pg_catalog.py}). */
    Result tool(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, APPS.resolve(script).toString()));
        cmd.addAll(List.of(args));
        return await(python(cmd, null, script));
    }

    private Running python(List<String> cmd, String appDb, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (appDb != null) pb.environment().put("APP_DB", appDb);
        String base = name + "-" + what + "-" + System.nanoTime();
        Path out = work.resolve(base + ".out");
        Path err = work.resolve(base + ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        return new Running(pb.start(), out, err);
    }

    Result await(Running r) throws Exception {
        if (!r.process().waitFor(10, TimeUnit.MINUTES)) {
            r.process().destroyForcibly();
            fail(name + " " + r.out().getFileName() + " did not finish in 10 minutes");
        }
        return new Result(r.process().exitValue(), Files.readString(r.out(), StandardCharsets.UTF_8), Files.readString(r.err(), StandardCharsets.UTF_8));
    }

    private static Path locate() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata/apps"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("testdata/apps not found above " + Path.of("").toAbsolutePath());
        return p.resolve("testdata/apps");
    }

    /** Fails, saying what to install, when Debian's Django, SQLAlchemy, Alembic or psycopg2 is missing. */
    static void requireInstalled() throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import django, sqlalchemy, alembic, psycopg2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) fail("the framework applications need Debian's python3-django, python3-sqlalchemy, python3-alembic and"
                + " python3-psycopg2: run testdata/apps/install-deps.sh (.ci/run does). " + out);
    }
}

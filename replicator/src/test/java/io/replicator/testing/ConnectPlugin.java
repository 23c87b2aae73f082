package io.replicator.testing;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.ExitCode;
import io.replicator.feed.SqliteSourceConnector;
import io.replicator.sink.connect.PostgresSinkConnector;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The connector's Kafka Connect plugin directory as tests build it, and the class path a worker runs on.
 * Tests run before {@code package}, so the plugin is built from the compiled classes and the dependency jars on
 * the test class path: the same set {@code connector/pom.xml} copies into {@code target/connect-plugin}
 * (execution copy-connect-plugin-libs).
 *
 * <p>The split, shared by every test that plays a Connect worker: the plugin holds the connector and sink modules and the
 * modules they build on (core, translate), sqlite-jdbc, the PostgreSQL driver, HikariCP, Jackson and connect-json; the worker's
 * class path is the test class path minus every replicator module, sqlite-jdbc, the PostgreSQL driver and HikariCP (it keeps Kafka, Connect, Jackson and SLF4J, and also
 * Debezium and JUnit, which do no harm). So the connector finds its own classes and dependencies in the plugin
 * directory or not at all, and a jar missing from the plugin fails a test instead of a cluster.
 */
public final class ConnectPlugin {
    /** The plugin's directory name under {@code plugin.path}, as in target/connect-plugin. */
    public static final String NAME = "sqlite-replicator-connector";

    private ConnectPlugin() {}

    /** Builds {@code pluginPath/NAME/lib} (jars only; a classes directory is jarred) and returns {@code pluginPath}. */
    public static Path build(Path pluginPath) throws IOException {
        Path lib = Files.createDirectories(pluginPath.resolve(NAME).resolve("lib"));
        for (Path source : pluginSources()) {
            Path target = lib.resolve(jarName(source));
            if (Files.isDirectory(source)) jar(source, target);
            else Files.copy(source, target);
        }
        return pluginPath;
    }

    /**
     * The plugin's lib: replicator-connector, -sink, -core and -translate, sqlite-jdbc, PostgreSQL, HikariCP, Jackson, and
     * connect-json with the Jackson modules it uses (the sink decodes with JsonConverter on the plugin's Jackson).
     */
    public static Set<Path> pluginSources() {
        Set<Path> s = new LinkedHashSet<>();
        for (Class<?> c : List.of(SqliteSourceConnector.class, PostgresSinkConnector.class, ExitCode.class, io.replicator.translate.plan.Planner.class,
                org.sqlite.JDBC.class, org.postgresql.Driver.class, com.zaxxer.hikari.HikariDataSource.class, ObjectMapper.class, JsonFactory.class,
                JsonProperty.class, org.apache.kafka.connect.json.JsonConverter.class, com.fasterxml.jackson.datatype.jdk8.Jdk8Module.class,
                com.fasterxml.jackson.module.blackbird.BlackbirdModule.class)) {
            s.add(location(c));
        }
        return s;
    }

    /**
     * The test class path without the replicator modules and the jars that belong only in the plugin
     * (sqlite-jdbc, the PostgreSQL driver); entries in {@code keep} stay even so (a test's own probe classes).
     */
    public static List<Path> workerClasspath(Set<Path> keep) {
        Set<Path> pluginOnly = Set.of(location(org.sqlite.JDBC.class), location(org.postgresql.Driver.class), location(com.zaxxer.hikari.HikariDataSource.class));
        List<Path> cp = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (keep.contains(p) || !pluginOnly.contains(p) && !holdsReplicatorClasses(p)) cp.add(p);
        }
        return cp;
    }

    /** The jar or classes directory a class was loaded from. */
    public static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Any replicator module (main or test classes, jar or directory). */
    private static boolean holdsReplicatorClasses(Path p) {
        if (Files.isDirectory(p)) return Files.isDirectory(p.resolve("io/replicator"));
        if (!Files.isRegularFile(p) || !p.toString().endsWith(".jar")) return false;
        try (JarFile j = new JarFile(p.toFile())) {
            return j.stream().anyMatch(e -> e.getName().startsWith("io/replicator/"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A jar's own name; a classes directory of the reactor (core/target/classes) becomes replicator-core.jar etc. */
    private static String jarName(Path source) {
        if (!Files.isDirectory(source)) return source.getFileName().toString();
        String module = source.getParent().getParent().getFileName().toString(); // <module>/target/classes
        return module.equals("replicator") ? "replicator.jar" : "replicator-" + module + ".jar";
    }

    /** Jars a classes directory (classes and resources, META-INF/services included), as the jar plugin would. */
    static void jar(Path classes, Path target) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(target);
             JarOutputStream jar = new JarOutputStream(out, mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.isEmpty() || name.equals("META-INF/MANIFEST.MF")) continue;
                if (Files.isDirectory(f)) {
                    jar.putNextEntry(new JarEntry(name + "/"));
                } else {
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(f, jar);
                }
                jar.closeEntry();
            }
        }
    }
}

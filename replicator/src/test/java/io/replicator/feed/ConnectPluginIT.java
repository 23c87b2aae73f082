package io.replicator.feed;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.testing.ConnectPlugin;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.connector.ConnectorContext;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.runtime.isolation.LoaderSwap;
import org.apache.kafka.connect.runtime.isolation.PluginClassLoader;
import org.apache.kafka.connect.runtime.isolation.PluginDesc;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connector as a Kafka Connect worker loads it: from a plugin directory on {@code plugin.path}, in its own
 * {@link PluginClassLoader}. Tests run before {@code package}, so the plugin directory is built from the
 * compiled classes and the dependency jars on the test classpath ({@link ConnectPlugin#build}).
 *
 * <p>The worker side ({@link WorkerSide}) runs in a class loader holding {@link ConnectPlugin#workerClasspath}:
 * the test classpath minus every replicator module, sqlite-jdbc and the PostgreSQL driver, what a Connect worker
 * has (Kafka, Connect, Jackson, SLF4J). So the connector finds its own classes and dependencies in the plugin
 * directory or not at all, and a jar missing from the plugin fails here instead of on a cluster.
 * {@code ConnectDistributedIT} runs the same plugin in a real distributed worker process.
 */
class ConnectPluginIT {
    static final String PLUGIN = ConnectPlugin.NAME;
    static final String CONNECTOR = "io.replicator.feed.SqliteSourceConnector";

    @TempDir
    Path dir;

    @Test
    void aWorkerLoadsTheConnectorFromThePluginPathInIsolationAndItStreams() throws Exception {
        Path pluginPath = ConnectPlugin.build(dir.resolve("plugins"));

        // a SQLite file with capture installed and two writes after the install's mark
        Path db = SqliteFiles.create(dir, "app.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        long start = new CaptureInstaller(SqliteSource.of(db.toString())).install().changelogSeq();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
        }

        // the worker: the test classpath without anything of ours and without the JDBC drivers (it keeps Kafka,
        // Connect, Jackson, SLF4J, and also Debezium and JUnit, which do no harm); plus the probe's own classes
        List<URL> workerClasspath = new ArrayList<>();
        for (Path p : ConnectPlugin.workerClasspath(Set.of(ConnectPlugin.location(WorkerSide.class)))) workerClasspath.add(p.toUri().toURL());

        Map<String, Object> r;
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader worker = new URLClassLoader("connect-worker", workerClasspath.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(worker);
            assertFalse(canLoad(worker, CONNECTOR), "the worker's own class path does not hold the connector");
            assertFalse(canLoad(worker, "org.sqlite.JDBC"), "nor sqlite-jdbc");
            Class<?> probe = Class.forName(WorkerSide.class.getName(), true, worker);
            assertNotSame(WorkerSide.class, probe);
            var ctor = probe.getDeclaredConstructor();
            ctor.setAccessible(true);
            @SuppressWarnings("unchecked")
            BiFunction<Path, Map<String, String>, Map<String, Object>> workerSide = (BiFunction<Path, Map<String, String>, Map<String, Object>>) ctor.newInstance();
            r = workerSide.apply(pluginPath, Map.of(
                    FeedConfig.SQLITE_PATH, db.toString(),
                    FeedConfig.TOPIC_PREFIX, "it",
                    FeedConfig.DATABASE_NAME, "app",
                    FeedConfig.START_SEQ, Long.toString(start)));
        } finally {
            Thread.currentThread().setContextClassLoader(tccl);
        }

        @SuppressWarnings("unchecked")
        List<String> sources = (List<String>) r.get("sourceConnectors");
        assertTrue(sources.stream().anyMatch(d -> d.startsWith(CONNECTOR + " " + SqliteSourceConnector.VERSION + " @ ") && d.contains(PLUGIN)),
                "discovered as a source connector in the plugin directory: " + sources);

        Object connector = r.get("connector");
        Class<?> cls = connector.getClass();
        assertEquals(CONNECTOR, cls.getName());
        assertNotSame(SqliteSourceConnector.class, cls, "not the test's own copy of the class");
        assertNotSame(ConnectPluginIT.class.getClassLoader(), cls.getClassLoader());
        assertEquals(PluginClassLoader.class.getName(), cls.getClassLoader().getClass().getName());
        assertTrue(String.valueOf(r.get("loaderLocation")).contains(PLUGIN), "loaded from " + r.get("loaderLocation"));
        assertEquals(Boolean.TRUE, r.get("taskInSameLoader"));
        assertEquals(Boolean.TRUE, r.get("sqliteJdbcFromPlugin"), "sqlite-jdbc comes from the plugin's lib");
        assertEquals(Boolean.TRUE, r.get("jacksonFromPlugin"), "the plugin's Jackson, not the worker's");

        @SuppressWarnings("unchecked")
        Set<String> names = (Set<String>) r.get("configNames");
        assertTrue(names.containsAll(List.of(FeedConfig.SQLITE_PATH, FeedConfig.TOPIC_PREFIX, FeedConfig.DATABASE_NAME, FeedConfig.START_SEQ)), names.toString());

        @SuppressWarnings("unchecked")
        Map<String, List<String>> missingPath = (Map<String, List<String>>) r.get("errorsWithoutSqlitePath");
        assertTrue(missingPath.containsKey(FeedConfig.SQLITE_PATH) && missingPath.get(FeedConfig.SQLITE_PATH).stream().anyMatch(m -> m.contains(FeedConfig.SQLITE_PATH)),
                "validate reports the missing sqlite.path on that field: " + missingPath);
        @SuppressWarnings("unchecked")
        Map<String, List<String>> badPrefix = (Map<String, List<String>>) r.get("errorsWithBadPrefix");
        assertEquals(Set.of(FeedConfig.TOPIC_PREFIX), badPrefix.keySet(), "a bad topic.prefix is reported on that field only: " + badPrefix);
        @SuppressWarnings("unchecked")
        Map<String, List<String>> good = (Map<String, List<String>>) r.get("errorsWhenValid");
        assertEquals(Map.of(), good);

        assertEquals(List.of("it.app c", "it.app c"), r.get("rowEvents"), "the task ran inside the plugin and read both inserts");
    }

    private static boolean canLoad(ClassLoader l, String name) {
        try {
            Class.forName(name, false, l);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * What a worker does with the plugin, loaded in the worker's class loader (so Kafka and Connect types here are
     * the worker's, and io.replicator types are not reachable at all): discover, instantiate, validate, start a task.
     * Returns plain JDK values. Must not use ConnectPluginIT, which this class loader cannot load.
     */
    public static final class WorkerSide implements BiFunction<Path, Map<String, String>, Map<String, Object>> {
        public WorkerSide() {}

        @Override
        public Map<String, Object> apply(Path pluginPath, Map<String, String> config) {
            Map<String, Object> r = new LinkedHashMap<>();
            Plugins plugins = new Plugins(Map.of("plugin.path", pluginPath.toString(), "plugin.discovery", "service_load"));
            List<String> sources = new ArrayList<>();
            for (PluginDesc<SourceConnector> d : plugins.sourceConnectors()) sources.add(d.className() + " " + d.version() + " @ " + d.location());
            r.put("sourceConnectors", sources);

            Connector connector = plugins.newConnector("io.replicator.feed.SqliteSourceConnector");
            ClassLoader loader = connector.getClass().getClassLoader();
            r.put("connector", connector);
            r.put("loaderLocation", loader instanceof PluginClassLoader p ? p.location() : loader.toString());
            try (LoaderSwap swap = plugins.withClassLoader(loader)) {
                r.put("configNames", new TreeSet<>(connector.config().names()));
                Map<String, String> noPath = new LinkedHashMap<>(config);
                noPath.remove("sqlite.path");
                r.put("errorsWithoutSqlitePath", errors(connector.validate(noPath)));
                Map<String, String> badPrefix = new LinkedHashMap<>(config);
                badPrefix.put("topic.prefix", "no spaces allowed");
                r.put("errorsWithBadPrefix", errors(connector.validate(badPrefix)));
                r.put("errorsWhenValid", errors(connector.validate(config)));

                connector.initialize(new ConnectorContext() {
                    @Override
                    public void requestTaskReconfiguration() {}

                    @Override
                    public void raiseError(Exception e) {
                        throw new IllegalStateException(e);
                    }

                    @Override
                    public PluginMetrics pluginMetrics() {
                        return null;
                    }
                });
                connector.start(config);
                List<Map<String, String>> taskConfigs = connector.taskConfigs(1);
                SourceTask task = (SourceTask) plugins.newTask(connector.taskClass());
                r.put("taskInSameLoader", task.getClass().getClassLoader() == loader);
                r.put("sqliteJdbcFromPlugin", loadedBy(loader, "org.sqlite.JDBC"));
                r.put("jacksonFromPlugin", loadedBy(loader, "com.fasterxml.jackson.databind.ObjectMapper"));
                task.initialize(new EmptyContext(taskConfigs.get(0)));
                task.start(taskConfigs.get(0));
                List<String> rowEvents = new ArrayList<>();
                try {
                    long deadline = System.currentTimeMillis() + 10_000;
                    while (rowEvents.size() < 2 && System.currentTimeMillis() < deadline) {
                        List<SourceRecord> records = task.poll();
                        if (records == null) continue;
                        for (SourceRecord rec : records) {
                            String op = ((Struct) rec.value()).getString("op");
                            if (List.of("c", "u", "d").contains(op)) rowEvents.add(rec.topic() + " " + op);
                        }
                    }
                } finally {
                    task.stop();
                    connector.stop();
                }
                r.put("rowEvents", rowEvents);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return r;
        }

        private static boolean loadedBy(ClassLoader loader, String name) {
            try {
                return Class.forName(name, false, loader).getClassLoader() == loader;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        private static Map<String, List<String>> errors(Config c) {
            Map<String, List<String>> e = new LinkedHashMap<>();
            for (ConfigValue v : c.configValues()) if (!v.errorMessages().isEmpty()) e.put(v.name(), List.copyOf(v.errorMessages()));
            return e;
        }

        /** A task context with no stored offsets, as on a connector's first start. */
        private record EmptyContext(Map<String, String> configs) implements SourceTaskContext {
            @Override
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    @Override
                    public <T> Map<String, Object> offset(Map<String, T> partition) {
                        return null;
                    }

                    @Override
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                        return Map.of();
                    }
                };
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return null;
            }
        }
    }
}

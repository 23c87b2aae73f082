package io.replicator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Kafka Connect <em>distributed</em> worker ({@code org.apache.kafka.connect.cli.ConnectDistributed}) as a child
 * JVM, so a test can run the connector exactly as a Connect cluster does (plugin.path, class loader isolation, offsets
 * in a Kafka topic, REST API) and can SIGTERM or SIGKILL the worker the way an operator or a crash would.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The worker runs on {@link ConnectPlugin#workerClasspath} (no replicator module, no JDBC driver) and finds the
 *       connector only in the plugin directory built once by {@link ConnectPlugin#build}.</li>
 *   <li>Every start of one instance uses the same {@code group.id} and the same three storage topics (unique to the
 *       instance), so a {@link #restart()} resumes the connectors, configs and offsets the previous process left in
 *       Kafka. Only the REST port is new on each start (a free one picked then), which also makes the worker id in
 *       status answers tell this process from the previous one.</li>
 *   <li>Each start writes its stdout and stderr to its own file, {@code worker-<n>.log}; the connector's INFO lines
 *       are in it (the worker logs through SLF4J: the Kafka 4.3.0 jars bring no SLF4J binding, only log4j-api/-core
 *       for kafka-server, so the binding is the project's logback, configured by a logback.xml written into a
 *       directory first on the class path, where logback looks before any jar).</li>
 * </ul>
 * Settings that differ from Connect's defaults, and why: {@code offset.flush.interval.ms=500} (offsets are
 * committed often, so restarts find recent ones); {@code session.timeout.ms=6000}, the broker's minimum (the new
 * process's join waits until the SIGKILLed one's session has expired), and the same for the sink tasks' consumers
 * ({@code consumer.session.timeout.ms}); {@code plugin.discovery=service_load} (why:
 * in {@link #start()}). {@code scheduled.rebalance.max.delay.ms} can keep its 5 minutes: with one worker the new
 * process leads the group and assigns the task at once (seen: RUNNING about 6 s after a SIGKILL either way).
 */
public final class ConnectWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String bootstrap;
    private final String id = "connect-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path pluginPath;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int port;
    private Path log;
    private int starts;

    /** A worker (not started) with its files under {@code dir}, on the test JVM's broker ({@link TestKafka}). */
    public ConnectWorker(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.bootstrap = TestKafka.bootstrap();
        this.pluginPath = ConnectPlugin.build(dir.resolve("plugins"));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("logback.xml"), String.join("\n",
                "<configuration>",
                "  <statusListener class=\"ch.qos.logback.core.status.NopStatusListener\"/>",
                "  <appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %level %logger{0} - %msg%n</pattern></encoder>",
                "  </appender>",
                // Kafka's clients and config dumps at INFO are thousands of lines per start; Connect's herder and
                // worker lines (rebalances, task starts, offset commits that fail) stay
                "  <logger name=\"org.apache.kafka\" level=\"WARN\"/>",
                "  <logger name=\"org.apache.kafka.connect.runtime.distributed.DistributedHerder\" level=\"INFO\"/>",
                "  <logger name=\"org.apache.kafka.connect.runtime.Worker\" level=\"INFO\"/>",
                "  <logger name=\"org.apache.kafka.clients.NetworkClient\" level=\"ERROR\"/>",
                "  <logger name=\"org.reflections\" level=\"WARN\"/>",
                "  <logger name=\"org.eclipse.jetty\" level=\"WARN\"/>",
                "  <logger name=\"io.replicator\" level=\"INFO\"/>",
                "  <root level=\"INFO\"><appender-ref ref=\"out\"/></root>",
                "</configuration>", ""));
    }

    /** Starts the worker process and waits until its REST API answers {@code GET /}. */
    public ConnectWorker start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) throw new IllegalStateException("the worker is running");
        starts++;
        port = freePort();
        Path props = dir.resolve("worker-" + starts + ".properties");
        Files.writeString(props, String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "group.id=" + id,
                "config.storage.topic=" + id + "-config",
                "offset.storage.topic=" + id + "-offsets",
                "status.storage.topic=" + id + "-status",
                "config.storage.replication.factor=1",
                "offset.storage.replication.factor=1",
                "status.storage.replication.factor=1",
                "key.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "offset.flush.interval.ms=500",
                "session.timeout.ms=6000",
                // the sink tasks' consumers: a SIGKILLed worker's members leave their group when this expires (the
                // consumer default, 45 s, held a restarted sink connector's topics that long)
                "consumer.session.timeout.ms=6000",
                "consumer.heartbeat.interval.ms=1000",
                "listeners=http://127.0.0.1:" + port,
                "rest.advertised.host.name=127.0.0.1",
                "rest.advertised.port=" + port,
                "plugin.path=" + pluginPath,
                // the connector ships a ServiceLoader manifest; the default (hybrid_warn) also scans every class of the
                // worker's class path reflectively (about 15 s per start here) and then warns to use service_load
                "plugin.discovery=service_load", ""));
        // the class path in a java @argfile: it can exceed what one command-line argument may hold
        List<String> cp = new ArrayList<>();
        cp.add(dir.resolve("conf").toString());
        for (Path p : ConnectPlugin.workerClasspath(Set.of())) cp.add(p.toString());
        Path args = dir.resolve("worker.args");
        Files.writeString(args, "-cp \"" + String.join(File.pathSeparator, cp) + "\"\n");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "@" + args,
                "org.apache.kafka.connect.cli.ConnectDistributed", props.toString());
        log = dir.resolve("worker-" + starts + ".log");
        Files.writeString(log, "# " + LocalTime.now() + " " + String.join(" ", cmd) + "\n");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();

        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) throw new AssertionError("the Connect worker exited " + process.exitValue() + " at start:\n" + tail(30));
            if (System.nanoTime() > deadline) throw new AssertionError("the Connect worker's REST API did not answer within " + START_TIMEOUT + ":\n" + tail(30));
            try {
                if (send("GET", "/", null).statusCode() == 200) return this;
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
    }

    /** SIGTERM (Connect stops its tasks and commits their offsets) and waits for the process to end. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("the Connect worker did not stop within 60 s of SIGTERM:\n" + tail(20));
    }

    /** SIGKILL: no task stop, no last offset commit, the group membership just expires. Returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("the Connect worker did not die within 20 s of SIGKILL");
    }

    /** Starts again (the previous process must be gone) with the same group, topics and plugin; a new log file. */
    public ConnectWorker restart() throws IOException, InterruptedException {
        return start();
    }

    /** {@code PUT /connectors/NAME/config}; retried while the worker is still joining its group. */
    public JsonNode putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            HttpResponse<String> r = send("PUT", "/connectors/" + enc(name) + "/config", JSON.writeValueAsString(config));
            if (r.statusCode() == 200 || r.statusCode() == 201) return JSON.readTree(r.body());
            // 409: a rebalance is under way; 5xx: the herder is not ready yet (e.g. "Request timed out")
            if ((r.statusCode() != 409 && r.statusCode() < 500) || System.nanoTime() > deadline) {
                throw new AssertionError("PUT config of " + name + " answered " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(250);
        }
    }

    /** {@code GET /connectors/NAME/status}, or null while the worker does not know the connector. */
    public JsonNode connectorStatus(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", "/connectors/" + enc(name) + "/status", null);
        if (r.statusCode() == 404) return null;
        if (r.statusCode() != 200) throw new AssertionError("GET status of " + name + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /**
     * The state of the connector's task 0 ("RUNNING", "FAILED", "UNASSIGNED"…) as reported by <em>this</em> process,
     * or null when it has none yet: the status topic may still hold what the previous (killed) process reported.
     */
    public String taskState(String name) throws IOException, InterruptedException {
        JsonNode s = connectorStatus(name);
        if (s == null) return null;
        for (JsonNode t : s.path("tasks")) {
            if (t.path("id").asInt() == 0 && workerId().equals(t.path("worker_id").asText())) return t.path("state").asText();
        }
        return null;
    }

    /** {@code GET /connectors/NAME/offsets}: {@code {"offsets": [{"partition": {...}, "offset": {...}}]}}. */
    public JsonNode offsets(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", "/connectors/" + enc(name) + "/offsets", null);
        if (r.statusCode() != 200) throw new AssertionError("GET offsets of " + name + " answered " + r.statusCode() + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** One record of the offsets topic: the key and value exactly as Connect serialized them. */
    public record StoredOffset(String key, String value, long timestamp) {}

    /**
     * Every record of this worker group's offsets topic whose key names {@code connector}, oldest first: what a new
     * worker reads back at start. Read directly from Kafka, so it works while no worker runs, and shows the exact
     * bytes Connect looks offsets up by (a partition map in another key order is another key).
     */
    public List<StoredOffset> storedOffsets(String connector) {
        String topic = id + "-offsets";
        String prefix = "[" + JSON.valueToTree(connector) + ",";
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            List<StoredOffset> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read " + topic + " to its end");
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(prefix)) out.add(new StoredOffset(r.key(), r.value(), r.timestamp()));
                }
            }
            out.sort(Comparator.comparingLong(StoredOffset::timestamp)); // across partitions; stable within one
            return out;
        }
    }

    /** The worker id this process reports in status answers. */
    public String workerId() {
        return "127.0.0.1:" + port;
    }

    /** The log file of the current (or last) start. */
    public Path log() {
        return log;
    }

    /** The lines of the current start's log so far. */
    public List<String> logLines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the process if it still runs (SIGKILL: a test's cleanup, no need to wait for a clean stop). */
    @Override
    public void close() throws InterruptedException {
        if (isAlive()) kill();
    }

    private String tail(int n) {
        List<String> all = logLines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

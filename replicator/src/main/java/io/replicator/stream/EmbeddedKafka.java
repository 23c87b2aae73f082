package io.replicator.stream;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Apache Kafka broker running inside this JVM, for the change feed.
 *
 * <p>The node runs in combined KRaft mode ({@code process.roles=broker,controller}, node id 1) with a static
 * one-voter quorum, listens on 127.0.0.1 only (PLAINTEXT for clients, CONTROLLER for the quorum) and uses
 * replication factor 1 everywhere. Its data lives in {@code logDir}: the directory is formatted (with a new
 * cluster id and {@link MetadataVersion#latestProduction()}) only when it holds no {@code meta.properties} yet,
 * so starting again on the same directory keeps every topic and record. The controller port is picked afresh
 * on every start; only the client port is visible to callers.
 *
 * <p>While the broker runs it holds a lock on {@code embedded-kafka.lock} in the directory, so a second broker
 * (in this or another process) cannot open the same data. Broker logging is lowered to WARN (the controller to
 * ERROR) through {@code org.slf4j.simpleLogger.log.*} system properties, unless they are already set; this only
 * affects loggers not yet created, so call {@link #start} before creating other Kafka clients.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir)) {
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final String META_PROPERTIES = "meta.properties";
    private static final String LOCK_FILE = "embedded-kafka.lock";
    /** The broker's session with its controller (see {@link #brokerProperties}). */
    private static final int SESSION_TIMEOUT_MS = 1_500;

    /**
     * Logger name prefixes of the broker side of Kafka, lowered to WARN. The last three are shared with clients:
     * the "... values:" dumps of every config (hundreds of lines per broker start), the version banner and the
     * "Metrics scheduler closed" lines.
     */
    private static final List<String> BROKER_LOGGERS = List.of(
            "kafka", "state.change.logger", "org.apache.kafka.server", "org.apache.kafka.raft",
            "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.security", "org.apache.kafka.network",
            "org.apache.kafka.common.config.AbstractConfig", "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.metrics.Metrics");
    /** The controller warns on every start ("Performing controller activation"); only its errors are shown. */
    private static final String CONTROLLER_LOGGER = "org.apache.kafka.controller";

    private final KafkaRaftServer server;
    private final FileChannel dirLock;
    private final Path logDir;
    private final int port;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, FileChannel dirLock, Path logDir, int port) {
        this.server = server;
        this.dirLock = dirLock;
        this.logDir = logDir;
        this.port = port;
    }

    /** Starts the broker on a free port of 127.0.0.1, keeping its data in {@code logDir}. */
    public static EmbeddedKafka start(Path logDir) {
        return start(logDir, 0);
    }

    /**
     * Starts the broker on 127.0.0.1:{@code port} ({@code 0}: any free port), keeping its data in {@code logDir},
     * and returns once it answers client requests.
     *
     * @throws ReplicatorException if the port is taken, the directory is unusable or the broker does not come up
     *     within 30 seconds
     */
    public static EmbeddedKafka start(Path logDir, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        quietBrokerLogging();
        Path dir = prepareDirectory(logDir);
        haltAsRuntimeFailure(dir);
        FileChannel dirLock = lockDirectory(dir);
        KafkaRaftServer server;
        int clientPort;
        try {
            clientPort = port == 0 ? freePort() : requireFree(port);
            int controllerPort = freePort();
            while (controllerPort == clientPort) {
                controllerPort = freePort();
            }
            KafkaConfig config = KafkaConfig.fromProps(brokerProperties(dir, clientPort, controllerPort), false);
            if (!Files.exists(dir.resolve(META_PROPERTIES))) {
                format(dir);
            }
            server = openServer(config, dir);
        } catch (RuntimeException e) {
            closeQuietly(dirLock);
            throw e;
        }
        EmbeddedKafka kafka = new EmbeddedKafka(server, dirLock, dir, clientPort);
        try {
            kafka.awaitStartup(System.nanoTime() + STARTUP_TIMEOUT.toNanos());
        } catch (RuntimeException e) {
            kafka.close(); // releases ports, Kafka's own lock and ours
            throw e;
        }
        return kafka;
    }

    /** {@code 127.0.0.1:<port>}, for the {@code bootstrap.servers} setting of clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client (PLAINTEXT) port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The data directory (absolute). */
    public Path logDir() {
        return logDir;
    }

    /**
     * Shuts the broker down and waits until it has stopped; a call made while another thread is closing waits for
     * that close to finish, later calls do nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            closeQuietly(dirLock);
        }
    }

    private void awaitStartup(long deadlineNanos) {
        // KafkaRaftServer.startup() blocks until the broker is unfenced; run it aside so the timeout holds.
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                server.startup();
                started.complete(null);
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        }, "embedded-kafka-startup");
        starter.setDaemon(true);
        starter.start();
        try {
            started.get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw startupFailure(e.getCause());
        } catch (TimeoutException e) {
            throw startupTimeout(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("Interrupted while starting the embedded Kafka broker.", e);
        }

        Map<String, Object> adminProps = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
        try (Admin admin = Admin.create(adminProps)) {
            int timeoutMs = (int) Math.max(1, remainingMillis(deadlineNanos));
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                throw startupFailure(new IllegalStateException("the broker reports no nodes"));
            }
        } catch (ExecutionException | TimeoutException e) {
            throw startupTimeout(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("Interrupted while waiting for the embedded Kafka broker.", e);
        }
    }

    private ReplicatorException startupFailure(Throwable cause) {
        return ReplicatorException.runtime("The embedded Kafka broker (data directory " + logDir + ", port " + port
                + ") failed to start: " + reason(cause) + ". Check that the port is still free and the directory"
                + " writable, and see the log above for broker errors.", cause);
    }

    private ReplicatorException startupTimeout(Exception cause) {
        return ReplicatorException.runtime("The embedded Kafka broker (data directory " + logDir + ", port " + port
                + ") did not answer within " + STARTUP_TIMEOUT.toSeconds() + " s. Check the log above for broker"
                + " errors and that 127.0.0.1:" + port + " is reachable; retry, or start with an empty data"
                + " directory if this one is damaged.", cause);
    }

    /** The cause's message without its trailing period, as it is embedded in a sentence. */
    private static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).strip();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static Properties brokerProperties(Path dir, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + ",CONTROLLER://" + HOST + ":"
                + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", dir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // After a kill, the controller keeps the dead broker's registration until its session times out, and the
        // restarted broker cannot register before that (DuplicateBrokerRegistrationException): with the default
        // 9 s every restart after a crash waited about 10 s for Kafka. Broker and controller share this process, so
        // a short session costs nothing but a heartbeat every 250 ms; a stall longer than the session fences the
        // broker for a moment, and clients retry.
        p.setProperty("broker.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS));
        p.setProperty("broker.heartbeat.interval.ms", "250");
        return p;
    }

    /** Writes meta.properties and the bootstrap checkpoint; the new cluster id is kept in meta.properties. */
    private static void format(Path dir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(dir.toString())
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw ReplicatorException.runtime("Cannot format the Kafka data directory " + dir + ": " + reason(e)
                    + ". Make sure it is writable and not used by another process, or choose another directory.", e);
        }
    }

    /** Reads meta.properties; fails for a directory formatted by something else or damaged. */
    private static KafkaRaftServer openServer(KafkaConfig config, Path dir) {
        try {
            return new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw ReplicatorException.runtime("Cannot open the Kafka data directory " + dir + ": " + reason(e)
                    + ". It must be a directory written by this embedded broker; point to another (empty) directory"
                    + " or move this one away.", e);
        }
    }

    /**
     * Locks {@value #LOCK_FILE} in the directory for the broker's lifetime. Kafka's own lock on a log directory that
     * also holds the metadata log is taken by the broker part, after the controller part has already opened and
     * written that log: too late to keep a second broker away.
     */
    private static FileChannel lockDirectory(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by this JVM: fall through to the message below
        } catch (IOException e) {
            closeQuietly(channel);
            throw ReplicatorException.runtime("Cannot lock the Kafka data directory " + dir + " (" + e
                    + "). Choose a directory you can write to.", e);
        }
        closeQuietly(channel);
        throw ReplicatorException.runtime("The Kafka data directory " + dir + " is in use by another embedded"
                + " broker (in this or another process). Stop that one first, or choose another directory.", null);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // releasing the lock; nothing else to do
            }
        }
    }

    private static Path prepareDirectory(Path logDir) {
        Path dir = logDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            throw ReplicatorException.runtime("Cannot create the Kafka data directory " + dir + " (" + e
                    + "). Choose a directory you can write to.", e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw ReplicatorException.runtime("The Kafka data directory " + dir + " is not a writable directory."
                    + " Fix its permissions or choose another directory.", null);
        }
        return dir;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw ReplicatorException.runtime("Cannot find a free TCP port on " + HOST + " for the embedded Kafka"
                    + " broker (" + e.getMessage() + ").", e);
        }
    }

    private static int requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
            return port;
        } catch (IOException e) {
            throw ReplicatorException.runtime("Port " + HOST + ":" + port + " for the embedded Kafka broker is"
                    + " not available (" + e.getMessage() + "). Stop whatever listens there, or choose another"
                    + " port (0 picks a free one).", e);
        }
    }

    /**
     * Kafka halts the JVM when the broker's last log directory fails (the disk is full, an I/O error), with status 1,
     * which is this tool's "verification found differences", and only its own log line as explanation. Say what
     * happened and what to do, and halt with the run-time failure code instead.
     */
    private static void haltAsRuntimeFailure(Path dir) {
        Exit.setHaltProcedure((status, message) -> {
            System.err.println("error: the embedded Kafka broker stopped this process (Kafka status " + status + (message == null ? "" : ", " + message)
                    + "): its data directory " + dir + " failed — a full disk says 'No space left on device' above. Free space (or fix the"
                    + " directory), then start again: replication resumes from its stored position.");
            System.err.flush();
            Runtime.getRuntime().halt(ExitCode.RUNTIME.code);
        });
    }

    /** slf4j-simple reads these properties when a logger is first created, so this must run before the broker. */
    private static void quietBrokerLogging() {
        BROKER_LOGGERS.forEach(logger -> setLevelUnlessSet(logger, "warn"));
        setLevelUnlessSet(CONTROLLER_LOGGER, "error");
    }

    private static void setLevelUnlessSet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }
}

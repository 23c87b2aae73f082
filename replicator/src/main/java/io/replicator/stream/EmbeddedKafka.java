package io.replicator.stream;

import io.replicator.core.ReplicatorException;
import io.replicator.sink.KafkaAdmins;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
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
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Apache Kafka broker running inside this JVM, for the change feed.
 *
 * <p>The node runs in combined KRaft mode with a static one-voter quorum on 127.0.0.1 ({@link BrokerProperties}).
 * Its data lives in {@code logDir}: the directory is formatted only when new, so starting again on the same
 * directory keeps every topic and record, and it is locked while the broker runs, so a second broker (in this or
 * another process) cannot open the same data ({@link KafkaDataDirectory}). The controller port is picked afresh
 * on every start; only the client port is visible to callers ({@link BrokerPorts}). Broker logging is lowered to
 * WARN (the controller to ERROR) unless set otherwise ({@link BrokerLogging}); this only affects loggers not yet
 * created, so call {@link #start} before creating other Kafka clients. A failing data directory halts the process
 * with the run-time failure code ({@link BrokerHalt}).
 *
 * <p>This class is the lifecycle: start (and wait until clients are answered, or fail within 30 s releasing
 * everything), and close (once; the directory lock is released last).
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir)) {
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

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
        BrokerLogging.quiet();
        Path dir = KafkaDataDirectory.prepare(logDir);
        BrokerHalt.asRuntimeFailure(dir);
        FileChannel dirLock = KafkaDataDirectory.lock(dir);
        KafkaRaftServer server;
        int clientPort;
        try {
            clientPort = BrokerPorts.client(port);
            int controllerPort = BrokerPorts.controller(clientPort);
            KafkaConfig config = KafkaConfig.fromProps(BrokerProperties.of(dir, clientPort, controllerPort), false);
            KafkaDataDirectory.formatIfNew(dir);
            server = openServer(config, dir);
        } catch (RuntimeException e) {
            KafkaDataDirectory.closeQuietly(dirLock);
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
        return BrokerProperties.HOST + ":" + port;
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
        KafkaAdmins.close(bootstrapServers()); // first: its reconnect attempts would outlive the broker
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            KafkaDataDirectory.closeQuietly(dirLock);
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
    static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).strip();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
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
}

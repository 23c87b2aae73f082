package io.replicator.control;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.replicator.core.ReplicatorException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the Micronaut HTTP server of the control plane for a running main job: one store's routes
 * ({@link ControlController}) or a fleet's ({@link FleetController}), chosen by the property {@value #SERVES} so that
 * the two sets of routes, which share paths such as {@code /status}, are never served together. Bound to 127.0.0.1
 * unless another address is asked for explicitly. The token for state-changing requests comes from the caller, or
 * is generated once into {@code <state-dir>/http-token} ({@link TokenFile}, mode 600) and reused.
 */
public final class ControlPlane implements AutoCloseable {
    /** Which routes the server has: {@value #ONE_STORE} or {@value #FLEET}. */
    static final String SERVES = "replicator.control.serves";
    static final String ONE_STORE = "store";
    static final String FLEET = "fleet";

    private final ApplicationContext context;
    private final EmbeddedServer server;
    /** Closed with the server: the single store's {@link Replicator}; nothing for a fleet. */
    private final Runnable served;

    private ControlPlane(ApplicationContext context, EmbeddedServer server, Runnable served) {
        this.context = context;
        this.server = server;
        this.served = served;
    }

    /** Serves {@code replicator}, and closes it when closed (or when it cannot start). */
    public static ControlPlane start(Replicator replicator, String host, int port, String token, Path stateDir) {
        try {
            return serve(ONE_STORE, replicator, replicator::close, host, port, token, stateDir, Map.of());
        } catch (RuntimeException e) {
            replicator.close();
            throw e;
        }
    }

    /**
     * Serves a fleet: every store's status, health, lag and actions under {@code /stores/{name}}, the fleet's summary
     * at {@code /status} and {@code /health}, one {@code /metrics}. The stores and their meters belong to the fleet:
     * closing this closes only the server.
     *
     * @param stateDir the fleet's state directory, where the token is kept
     */
    public static ControlPlane startFleet(FleetBoard board, String host, int port, String token, Path stateDir) {
        // every key in every answer, null or empty included: a fleet's answers are read by scripts ("down": [] when none is)
        return serve(FLEET, board, () -> { }, host, port, token, stateDir, Map.of("jackson.serialization-inclusion", "always"));
    }

    private static ControlPlane serve(String serves, Object bean, Runnable served, String host, int port, String token, Path stateDir,
                                      Map<String, Object> more) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                System.err.println("warning: the control plane listens on " + host + ", not only this machine; state-changing requests need the token");
            }
        } catch (UnknownHostException e) {
            throw ReplicatorException.config("--http-host: cannot resolve '" + host + "'");
        }
        String t = token != null && !token.isBlank() ? token : TokenFile.readOrCreate(stateDir);
        Map<String, Object> properties = new HashMap<>(Map.of("micronaut.server.host", host, "micronaut.server.port", port,
                "micronaut.application.name", "replicator", "micronaut.server.cors.enabled", false, SERVES, serves));
        properties.putAll(more);
        ApplicationContext ctx = ApplicationContext.builder()
                .deduceEnvironment(false)
                .banner(false)
                .properties(properties)
                .singletons(bean, new ControlController.Token(t))
                .start();
        try {
            EmbeddedServer server = ctx.getBean(EmbeddedServer.class);
            server.start();
            return new ControlPlane(ctx, server, served);
        } catch (RuntimeException e) {
            ctx.close();
            throw ReplicatorException.runtime("cannot start the control plane on " + host + ":" + port + ": " + e.getMessage()
                    + " (is the port taken? --http-port picks another, 0 a free one)", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public String url() {
        return "http://" + server.getHost() + ":" + server.getPort();
    }

    @Override
    public void close() {
        server.stop();
        context.close();
        served.run();
    }
}

package io.replicator.control;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.replicator.core.ReplicatorException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the Micronaut HTTP server of the control plane for a running main job. Bound to 127.0.0.1 unless
 * another address is asked for explicitly. The token for state-changing requests comes from the caller, or
 * is generated once into {@code <state-dir>/http-token} ({@link TokenFile}, mode 600) and reused.
 */
public final class ControlPlane implements AutoCloseable {
    private final ApplicationContext context;
    private final EmbeddedServer server;
    private final Replicator replicator;

    private ControlPlane(ApplicationContext context, EmbeddedServer server, Replicator replicator) {
        this.context = context;
        this.server = server;
        this.replicator = replicator;
    }

    /** Serves {@code replicator}, and closes it when closed (or when it cannot start). */
    public static ControlPlane start(Replicator replicator, String host, int port, String token, Path stateDir) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                System.err.println("warning: the control plane listens on " + host + ", not only this machine; state-changing requests need the token");
            }
        } catch (UnknownHostException e) {
            throw ReplicatorException.config("--http-host: cannot resolve '" + host + "'");
        }
        String t = token != null && !token.isBlank() ? token : TokenFile.readOrCreate(stateDir);
        ApplicationContext ctx = ApplicationContext.builder()
                .deduceEnvironment(false)
                .banner(false)
                .properties(Map.of("micronaut.server.host", host, "micronaut.server.port", port,
                        "micronaut.application.name", "replicator", "micronaut.server.cors.enabled", false))
                .singletons(replicator, new ControlController.Token(t))
                .start();
        try {
            EmbeddedServer server = ctx.getBean(EmbeddedServer.class);
            server.start();
            return new ControlPlane(ctx, server, replicator);
        } catch (RuntimeException e) {
            ctx.close();
            replicator.close();
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
        replicator.close();
    }
}

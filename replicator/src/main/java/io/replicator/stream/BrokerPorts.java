package io.replicator.stream;

import io.replicator.core.ReplicatorException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static io.replicator.stream.BrokerProperties.HOST;

/**
 * The TCP ports of the {@link EmbeddedKafka} node on {@value BrokerProperties#HOST}: the client port the caller
 * asked for (checked free before Kafka binds it, for a clear message) or any free one, and a controller port
 * picked afresh on every start and never equal to the client port.
 */
final class BrokerPorts {
    private BrokerPorts() {}

    /** {@code port} when it is free, or any free port for {@code 0}. */
    static int client(int port) {
        return port == 0 ? freePort() : requireFree(port);
    }

    /** A free port other than {@code clientPort}. */
    static int controller(int clientPort) {
        int controllerPort = freePort();
        while (controllerPort == clientPort) {
            controllerPort = freePort();
        }
        return controllerPort;
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
}

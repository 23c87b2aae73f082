package io.replicator.core.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The first bytes of PostgreSQL's wire protocol, for the connection failures the machine's server cannot be made
 * to produce without changing its configuration for everyone (it runs with ssl = off and trust authentication):
 * a server that accepts SSL (so the real driver goes on to load its root certificate), and one that asks for a
 * password and refuses it with SQLState 28P01. The driver under test is the real one; only the server is scripted.
 * Serves connections one at a time, on 127.0.0.1 and a free port, until closed.
 */
public final class PgProtocolStub implements AutoCloseable {
    /** What the stub answers. */
    public enum Script { ACCEPT_SSL, REFUSE_PASSWORD }

    private static final int SSL_REQUEST = 80877103;
    private final ServerSocket server;
    private final Thread thread;

    public PgProtocolStub(Script script) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            while (!server.isClosed()) serve(script);
        }, "pg-protocol-stub");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve(Script script) {
        try (Socket s = server.accept(); DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            int len = in.readInt();
            int code = in.readInt();
            in.skipNBytes(len - 8L);
            if (code == SSL_REQUEST) {
                if (script == Script.ACCEPT_SSL) {
                    out.writeByte('S'); // the driver now sets up TLS, which starts by loading its trust material
                    out.flush();
                    in.read(); // until the driver gives up and closes
                    return;
                }
                out.writeByte('N');
                out.flush();
                len = in.readInt(); // the startup message follows
                in.skipNBytes(len - 4L);
            }
            out.writeByte('R'); // AuthenticationCleartextPassword
            out.writeInt(8);
            out.writeInt(3);
            out.flush();
            if (in.readByte() != 'p') return;
            in.skipNBytes(in.readInt() - 4L);
            byte[] fields = ("SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user \"app\"\0\0").getBytes(StandardCharsets.UTF_8);
            out.writeByte('E');
            out.writeInt(4 + fields.length);
            out.write(fields);
            out.flush();
        } catch (IOException ignored) {
            // the driver hung up: nothing more to say
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package io.replicator.testing;

import io.replicator.core.testing.TestPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code bin/replicator run} as its own process ({@link ReplicatorProcess}) with its control plane on a free
 * port, reached over HTTP. The PostgreSQL URL it is given carries a password (the machine's PostgreSQL trusts local
 * connections, so any password is accepted), so that a test can check the password appears in no answer.
 */
public final class ControlPlaneProcess implements AutoCloseable {
    /** The password in the URL the process is given; must never be served. */
    public static final String SECRET = "Pa55-never-shown";
    private static final Pattern URL = Pattern.compile("control plane: (http://\\S+)");

    private final ReplicatorProcess process;
    private final String base;
    private final Path state;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ControlPlaneProcess(ReplicatorProcess process, String base, Path state) {
        this.process = process;
        this.base = base;
        this.state = state;
    }

    /** Starts {@code run} of {@code db} into {@code schema} on the tests' Kafka broker; returns once the control plane answers. */
    public static ControlPlaneProcess start(Path dir, Path db, String schema) throws Exception {
        Path state = dir.resolve("state");
        String url = TestPostgres.url().replace("postgresql://postgres@", "postgresql://postgres:" + SECRET + "@");
        List<String> args = new ArrayList<>(List.of("run", "--sqlite", db.toString(), "--postgres", url, "--schema", schema,
                "--state-dir", state.toString(), "--status-interval", "1s", "--http-port", "0", "--kafka", TestKafka.bootstrap()));
        ReplicatorProcess p = ReplicatorProcess.start(dir, args.toArray(String[]::new));
        p.awaitOutput("control plane: http://", 120);
        Matcher m = URL.matcher(p.output());
        if (!m.find()) throw new AssertionError("no control plane URL in:\n" + p.tail(20));
        return new ControlPlaneProcess(p, m.group(1), state);
    }

    public String base() {
        return base;
    }

    public ReplicatorProcess process() {
        return process;
    }

    /** The token the process generated into its state directory. */
    public String token() throws Exception {
        return Files.readString(state.resolve("http-token")).trim();
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM, and the process's output if it had already died. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) process.stop();
    }
}

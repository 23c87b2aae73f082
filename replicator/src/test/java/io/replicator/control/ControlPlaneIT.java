package io.replicator.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.PostgresUrl;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.testing.TestKafka;
import io.replicator.testing.TestReplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP control plane of a running replicator: health, status without secrets, Prometheus metrics, 401 without the token, cutover with it. */
class ControlPlaneIT {
    @TempDir
    Path dir;

    private static final String SECRET = "S3cretPassw0rd";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String token) throws Exception {
        return post(url, token, "{\"max_write_pause_ms\": 20000, \"verify\": \"full\"}");
    }

    private HttpResponse<String> post(String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthStatusMetricsAndATokenGuardedCutover() throws Exception {
        Path db = SqliteFiles.create(dir, "http.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        String schema = TestPostgres.freshSchema("http");
        // the machine's PostgreSQL trusts local connections, so a password in the URL is accepted and must never be shown
        PostgresUrl target = PostgresUrl.parse(TestPostgres.url().replace("postgresql://postgres@", "postgresql://postgres:" + SECRET + "@"));
        FeedSettings fs = TestReplication.prepare(db, schema, dir.resolve("state"), target);
        try (ChangeFeed feed = ChangeFeed.start(fs, TestKafka.bootstrap());
             Sink sink = Sink.start(SinkSettings.of(TestKafka.bootstrap(), fs.topic(), schema, target));
             ControlPlane cp = ControlPlane.start(new Replicator(SqliteSource.of(db.toString()), target, schema, fs.stateDir(), TestKafka.bootstrap(), feed, sink),
                     "127.0.0.1", 0, null, fs.stateDir())) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (2, 'b')");
            }
            Await.until("the sink applied seq 1", Duration.ofSeconds(20), () -> sink.appliedSeq() >= 1, () -> "at " + sink.appliedSeq() + ", failure " + sink.failure());
            String base = cp.url();

            HttpResponse<String> health = get(base + "/health");
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"UP\""), health.body());

            assertEquals(200, get(base + "/health/liveness").statusCode());
            assertEquals(200, get(base + "/health/readiness").statusCode());

            HttpResponse<String> status = get(base + "/status");
            assertEquals(200, status.statusCode());
            JsonNode st = new ObjectMapper().readTree(status.body());
            assertEquals(1, st.get("applied_seq").asLong(), status.body());
            assertEquals("streaming", st.get("phase").asText());

            HttpResponse<String> metrics = get(base + "/metrics");
            assertEquals(200, metrics.statusCode());
            assertEquals(1.0, metric(metrics.body(), "replicator_applied_seq"), metrics.body());
            assertEquals(0.0, metric(metrics.body(), "replicator_lag_changes"));
            assertTrue(metric(metrics.body(), "replicator_events_applied_total") >= 1);
            assertTrue(metrics.body().contains("replicator_batch_apply_seconds_bucket"), "the apply-time histogram is exported");

            for (String body : List.of(health.body(), status.body(), metrics.body())) assertFalse(body.contains(SECRET), "no secret in any answer");

            HttpResponse<String> anonymous = post(base + "/cutover", null);
            assertEquals(401, anonymous.statusCode());
            HttpResponse<String> wrong = post(base + "/cutover", "not-the-token");
            assertEquals(401, wrong.statusCode());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (3, 'a 401 changed nothing: SQLite still takes writes')");
            }
            String token = Files.readString(fs.stateDir().resolve("http-token")).trim();

            // replay over HTTP: a row lost in PostgreSQL comes back; without the token nothing happens
            Await.until("the sink applied seq 2", Duration.ofSeconds(20), () -> sink.appliedSeq() >= 2, () -> "at " + sink.appliedSeq() + ", failure " + sink.failure());
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                s.execute("DELETE FROM \"" + schema + "\".t WHERE id = 2");
            }
            String replayBody = "{\"from_seq\": 0, \"tables\": [\"t\"]}";
            assertEquals(401, post(base + "/replay", null, replayBody).statusCode());
            assertFalse(new ObjectMapper().readTree(get(base + "/status").body()).get("running").get("replaying").asBoolean());
            HttpResponse<String> replay = post(base + "/replay", token, replayBody);
            assertEquals(202, replay.statusCode(), replay.body());
            assertEquals(0, new ObjectMapper().readTree(replay.body()).get("fromSeq").asLong(), replay.body());
            Await.until("/status says the replay is over", Duration.ofSeconds(20),
                    () -> !new ObjectMapper().readTree(get(base + "/status").body()).get("running").get("replaying").asBoolean());
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT v FROM \"" + schema + "\".t WHERE id = 2")) {
                assertTrue(rs.next(), "the replay restored the deleted row");
                assertEquals("b", rs.getString(1));
            }
            assertEquals(400, post(base + "/replay", token, "{\"from_seq\": 1, \"from_time\": \"2026-01-01T00:00:00Z\"}").statusCode(),
                    "exactly one start");

            HttpResponse<String> cut = post(base + "/cutover", token);
            assertEquals(200, cut.statusCode(), cut.body());
            assertTrue(new ObjectMapper().readTree(cut.body()).get("done").asBoolean(), cut.body());
            assertEquals("cutover done", new ObjectMapper().readTree(get(base + "/status").body()).get("phase").asText());
        }
    }

    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) throw new AssertionError(name + " not in metrics");
        return Double.parseDouble(m.group(2));
    }
}

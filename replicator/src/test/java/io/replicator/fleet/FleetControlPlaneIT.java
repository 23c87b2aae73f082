package io.replicator.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.ReplicatorProcess;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --stores} with its one control plane, three stores a, b and c in one process: every store is listed
 * RUNNING and its positions move over HTTP; one scrape carries every store's series labelled {@code store} and the
 * JVM's once; c fed a value its column cannot hold makes {@code /health} 503 naming c while a's and b's health stay UP;
 * the POSTs need the token and act on their store only (replay on b, cutover on a); a store that stops (a, cut over)
 * or leaves the stores file (b) takes its series out of the scrape; no answer shows the PostgreSQL password.
 */
class FleetControlPlaneIT {
    private static final String SECRET = "Fl33t-never-shown";
    private static final Pattern URL = Pattern.compile("control plane: (http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> answers = new ArrayList<>();
    private String base;

    private record Db(String name, Path file, String schema) {}

    @Test
    void oneControlPlaneForThreeStores() throws Exception {
        Map<String, Db> dbs = new HashMap<>();
        StringBuilder yaml = new StringBuilder("stores:\n");
        for (String n : List.of("a", "b", "c")) {
            Db d = new Db(n, SqliteFiles.create(dir, n + ".db", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, v TEXT)",
                    "INSERT INTO t (n, v) VALUES (1, 'seed'), (2, 'seed')"), TestPostgres.freshSchema("fcp_" + n));
            dbs.put(n, d);
            yaml.append(entry(d));
        }
        Path storesFile = dir.resolve("stores.yml");
        Files.writeString(storesFile, yaml);
        Path state = dir.resolve("state");
        String url = TestPostgres.url().replace("postgresql://postgres@", "postgresql://postgres:" + SECRET + "@");
        ReplicatorProcess run = ReplicatorProcess.start(dir, "run", "--stores", storesFile.toString(), "--postgres", url, "--state-dir",
                state.toString(), "--status-interval", "1s", "--pool-size", "1", "--http-port", "0");
        try {
            run.awaitOutput("control plane: http://", 120);
            Matcher m = URL.matcher(run.output());
            assertTrue(m.find(), run.tail(20));
            base = m.group(1);
            for (String n : List.of("a", "b", "c")) run.awaitOutput("[" + n + "] replicating", 180);
            String token = Files.readString(state.resolve("http-token")).trim();

            // /stores: all three listed, running, streaming
            JsonNode stores = json(get("/stores", 200)).get("stores");
            assertEquals(3, stores.size(), stores.toString());
            for (int i = 0; i < 3; i++) {
                JsonNode s = stores.get(i);
                assertEquals(List.of("a", "b", "c").get(i), s.get("name").asText());
                assertEquals("RUNNING", s.get("outcome").asText(), s.toString());
                assertTrue(s.get("streaming").asBoolean(), s.toString());
                assertEquals(dbs.get(s.get("name").asText()).schema(), s.get("schema").asText());
            }

            // positions move: each store's /status follows writes to its own file
            Map<String, Long> capturedBefore = new HashMap<>();
            for (String n : List.of("a", "b", "c")) {
                JsonNode st = json(get("/stores/" + n + "/status", 200));
                assertEquals("streaming", st.get("phase").asText(), st.toString());
                capturedBefore.put(n, st.get("captured_seq").asLong());
                sqlite(dbs.get(n).file(), "INSERT INTO t (n, v) VALUES (10, 'x'), (11, 'y'), (12, 'z')");
            }
            for (String n : List.of("a", "b", "c")) {
                long target = capturedBefore.get(n) + 3;
                eventually("store " + n + "'s /status shows applied_seq " + target, 60, () -> {
                    JsonNode st = json(get("/stores/" + n + "/status", 200));
                    return st.get("captured_seq").asLong() >= target && st.get("applied_seq").asLong() >= target;
                });
            }
            JsonNode summary = json(get("/status", 200));
            assertEquals(3, summary.get("stores").size());
            assertEquals(3, summary.get("outcomes").get("RUNNING").asInt(), summary.toString());
            assertTrue(summary.get("stores").get(0).get("applied_seq").asLong() >= capturedBefore.get("a") + 3, summary.toString());

            // one scrape: every store's series labelled with its name, the JVM's once
            String metrics = get("/metrics", 200);
            for (String n : List.of("a", "b", "c")) {
                assertTrue(metric(metrics, "replicator_applied_seq", n) >= capturedBefore.get(n) + 3, n + "\n" + metrics);
                assertTrue(has(metrics, "kafka_producer_record_send_total", n), "the feed's producer of " + n);
                assertTrue(has(metrics, "kafka_consumer_fetch_manager_records_consumed_total", n), "the sink's consumer of " + n);
                assertEquals(1.0, metric(metrics, "replicator_store_running", n));
            }
            assertEquals(1, lines(metrics, "jvm_threads_live_threads"), "the JVM's meters once:\n" + metrics);
            assertEquals(1, lines(metrics, "replicator_build_info"), "the build info once");
            assertEquals(1, lines(metrics, "process_uptime_seconds"), "the process's meters once");
            assertEquals(1, lines(metrics, "hikaricp_connections_max"), "the sinks' one shared pool, once:\n" + metrics);
            assertTrue(metrics.contains("hikaricp_connections_max{pool=\"replicator-sink.shared\"}"), "the shared pool is no one store's");

            // the POSTs need the token, and nothing changes without it; an unknown store is 404
            assertEquals(401, post("/stores/a/cutover", null, "{}").statusCode());
            assertEquals(401, post("/stores/a/cutover", "not-the-token", "{}").statusCode());
            assertEquals(401, post("/stores/b/replay", null, "{\"from_seq\": 0}").statusCode());
            assertEquals("streaming", json(get("/stores/a/status", 200)).get("phase").asText(), "a 401 changed nothing");
            sqlite(dbs.get("a").file(), "INSERT INTO t (n, v) VALUES (13, 'SQLite still takes writes after a 401')");
            assertTrue(get("/stores/nope/status", 404).contains("a, b, c"), "a 404 names the stores there are");

            // a value c's column cannot hold: c fails, alone
            sqlite(dbs.get("c").file(), "INSERT INTO t (n, v) VALUES ('not a number', 'poison')");
            run.awaitOutput("[c] stopped (exit 3)", 60);
            HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/health")).GET());
            assertEquals(503, health.statusCode(), health.body());
            JsonNode h = JSON.readTree(health.body());
            assertEquals(List.of("c"), names(h.get("down")), health.body());
            assertEquals("DOWN", h.get("stores").get("c").get("status").asText());
            assertEquals(3, h.get("stores").get("c").get("exit_code").asInt(), health.body());
            assertTrue(h.get("stores").get("c").get("reason").asText().contains("column n"), health.body());
            assertEquals("UP", h.get("stores").get("a").get("status").asText(), health.body());
            assertEquals("up", h.get("checks").get("postgres").asText(), health.body());
            for (String n : List.of("a", "b")) assertEquals("UP", json(get("/stores/" + n + "/health", 200)).get("status").asText());
            JsonNode c = json(get("/stores/c/health", 503));
            assertEquals("FAILED", c.get("outcome").asText());
            JsonNode listedC = json(get("/stores", 200)).get("stores").get(2);
            assertEquals("FAILED", listedC.get("outcome").asText());
            assertEquals(3, listedC.get("exit_code").asInt());
            eventually("c's pipeline series leave the scrape", 30, () -> !has(get("/metrics", 200), "replicator_applied_seq", "c"));
            metrics = get("/metrics", 200);
            assertEquals(1.0, metric(metrics, "replicator_store_failed", "c"), "a failed store still shows, as failed");
            assertEquals(0.0, metric(metrics, "replicator_store_failed", "a"));
            assertTrue(has(metrics, "replicator_applied_seq", "a") && has(metrics, "replicator_applied_seq", "b"), "the others' series stay");

            // replay on b with the token: a row lost in b's schema comes back
            Db b = dbs.get("b");
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                assertEquals(1, s.executeUpdate("DELETE FROM \"" + b.schema() + "\".t WHERE v = 'y'"));
            }
            HttpResponse<String> replay = post("/stores/b/replay", token, "{\"from_seq\": 0, \"tables\": [\"t\"]}");
            assertEquals(202, replay.statusCode(), replay.body());
            eventually("the replay restored b's row", 30, () -> count(b.schema(), "v = 'y'") == 1);

            // cutover of a with the token: a ends cut over, the others go on
            HttpResponse<String> cut = post("/stores/a/cutover", token, "{\"max_write_pause_ms\": 20000, \"verify\": \"full\"}");
            assertEquals(200, cut.statusCode(), cut.body());
            assertTrue(JSON.readTree(cut.body()).get("done").asBoolean(), cut.body());
            eventually("a is listed as cut over", 30, () -> "CUT_OVER".equals(json(get("/stores", 200)).get("stores").get(0).get("outcome").asText()));
            assertEquals("CUT_OVER", json(get("/stores/a/health", 200)).get("status").asText());
            eventually("a's pipeline series leave the scrape", 30, () -> !has(get("/metrics", 200), "replicator_applied_seq", "a"));
            assertEquals(List.of("c"), names(json(send(HttpRequest.newBuilder(uri("/health")).GET()).body()).get("down")), "a cut over fails nothing");

            // b leaves the stores file: it is no longer listed, and none of its series is left
            Files.writeString(storesFile, yaml.toString().replace(entry(b), ""));
            run.awaitOutput("store b left the stores file", 30);
            eventually("b is not listed", 30, () -> json(get("/stores", 200)).get("stores").size() == 2);
            eventually("no series of b is left", 30, () -> !get("/metrics", 200).contains("store=\"b\""));
            assertTrue(get("/metrics", 200).contains("store=\"c\""), "c is still listed: its listed-store gauges stay");
            get("/stores/b/status", 404);

            for (String answer : answers) assertFalse(answer.contains(SECRET), "the password is in an answer: " + answer);
            assertEquals(143, run.stop(), "SIGTERM");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nthe fleet's output ends:\n" + run.tail(40), e);
        } finally {
            if (run.isAlive()) run.kill();
        }
    }

    private static String entry(Db d) {
        return "  - name: " + d.name() + "\n    sqlite: " + d.file() + "\n    schema: " + d.schema() + "\n";
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        answers.add(r.body());
        return r;
    }

    /** GET, expecting {@code status}; the body. */
    private String get(String path, int status) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).GET());
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b);
    }

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The value of the series {@code name} labelled {@code store="<store>"} (its only or first line). */
    private static double metric(String text, String name, String store) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*store=\"" + store + "\"[^}]*\\} ([0-9.eE+-]+|NaN)$").matcher(text);
        if (!m.find()) throw new AssertionError(name + "{store=\"" + store + "\"} not in the scrape");
        return Double.parseDouble(m.group(1));
    }

    private static boolean has(String text, String name, String store) {
        return Pattern.compile("(?m)^" + name + "\\{[^}]*store=\"" + store + "\"").matcher(text).find();
    }

    /** The lines of series {@code name} (not its HELP and TYPE). */
    private static long lines(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).count();
    }

    private static void sqlite(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute(sql);
        }
    }

    private static long count(String schema, String where) throws SQLException {
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + schema + "\".t WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Polls every 200 ms (each poll is an HTTP request or a query) until {@code check} holds; fails after {@code seconds}. */
    private static void eventually(String what, int seconds, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!check.holds()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not within " + seconds + " s: " + what);
            Thread.sleep(200);
        }
    }
}

package io.replicator.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet's routes on a real server, for stores that do not stream (so no PostgreSQL or Kafka is needed): the
 * roster is the data of the case. What streams is covered by {@code FleetControlPlaneIT}.
 */
class FleetControllerTest {
    private static final String TOKEN = "t0ken";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<FleetRoster.Listed> roster = new CopyOnWriteArrayList<>();
    private final AtomicInteger storedReads = new AtomicInteger();
    private LiveStores live;
    private ControlPlane cp;

    private void start() {
        live = new LiveStores();
        cp = ControlPlane.startFleet(new FleetBoard(() -> List.copyOf(roster), live), "127.0.0.1", 0, TOKEN, dir);
    }

    @AfterEach
    void close() {
        if (cp != null) cp.close();
        if (live != null) live.close();
    }

    private FleetRoster.Listed store(String name, String outcome, String failure, Integer exit) {
        return new FleetRoster.Listed(name, "schema_" + name, "P1", outcome, failure, exit, () -> {
            storedReads.incrementAndGet();
            return Map.of("phase", "streaming", "postgres", "postgresql://u:***@h:5432/d");
        });
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cp.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cp.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFailedStoreMakesTheFleetDownAndIsNamedWithItsExitCode() throws Exception {
        roster.add(store("a", "CUT_OVER", null, null));
        roster.add(store("c", "FAILED", "column n: 'x' is not an integer (postgresql://u:hunter2@h/d)", 3));
        start();

        HttpResponse<String> health = get("/health");
        assertEquals(503, health.statusCode(), health.body());
        JsonNode h = JSON.readTree(health.body());
        assertEquals("DOWN", h.get("status").asText());
        assertEquals(List.of("c"), List.of(h.get("down").get(0).asText()));
        assertEquals(1, h.get("down").size(), "the cut-over store fails nothing: " + health.body());
        assertEquals(3, h.get("stores").get("c").get("exit_code").asInt());
        assertTrue(h.get("stores").get("c").get("reason").asText().contains("column n"), health.body());
        assertFalse(health.body().contains("hunter2"), "the password in a failure is redacted: " + health.body());

        HttpResponse<String> c = get("/stores/c/health");
        assertEquals(503, c.statusCode());
        HttpResponse<String> a = get("/stores/a/health");
        assertEquals(200, a.statusCode(), a.body());
        assertEquals("CUT_OVER", JSON.readTree(a.body()).get("status").asText());

        JsonNode stores = JSON.readTree(get("/stores").body()).get("stores");
        assertEquals(2, stores.size());
        assertEquals("FAILED", stores.get(1).get("outcome").asText());
        assertFalse(stores.get(1).get("streaming").asBoolean());
        assertEquals(3, stores.get(1).get("exit_code").asInt());
        assertFalse(stores.get(1).get("failure").asText().contains("hunter2"));
    }

    @Test
    void everyStoreCutOverIsUp() throws Exception {
        roster.add(store("a", "CUT_OVER", null, null));
        start();
        assertEquals(200, get("/health").statusCode());
        assertEquals(200, get("/health/readiness").statusCode());
    }

    @Test
    void aStoreNotStreamingYetIsDown() throws Exception {
        roster.add(store("b", "RUNNING", null, null));
        start();
        HttpResponse<String> h = get("/stores/b/health");
        assertEquals(503, h.statusCode());
        assertTrue(h.body().contains("not streaming yet"), h.body());
    }

    @Test
    void unknownStoresAre404NamingTheListedOnes() throws Exception {
        roster.add(store("a", "RUNNING", null, null));
        roster.add(store("b", "RUNNING", null, null));
        start();
        for (String path : List.of("/stores/zz/status", "/stores/zz/health", "/stores/zz/lag", "/stores/zz/")) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path + ": " + r.body());
            assertTrue(r.body().contains("no store 'zz'") && r.body().contains("a, b"), path + ": " + r.body());
        }
        assertEquals(404, post("/stores/zz/cutover", TOKEN).statusCode());
    }

    @Test
    void postsNeedTheTokenBeforeAnythingElse() throws Exception {
        roster.add(store("a", "RUNNING", null, null));
        start();
        for (String action : List.of("cutover", "replay")) {
            assertEquals(401, post("/stores/a/" + action, null).statusCode(), action);
            assertEquals(401, post("/stores/a/" + action, "wrong").statusCode(), action);
            assertEquals(401, post("/stores/zz/" + action, null).statusCode(), "no token: not even whether the store exists");
            HttpResponse<String> notStreaming = post("/stores/a/" + action, TOKEN);
            assertEquals(409, notStreaming.statusCode(), notStreaming.body());
            assertTrue(notStreaming.body().contains("--store a"), notStreaming.body());
        }
    }

    @Test
    void aStoreNotStreamingShowsItsStoredStatusAndAnEmptyLag() throws Exception {
        roster.add(store("a", "FAILED", "boom", 4));
        start();
        JsonNode s = JSON.readTree(get("/stores/a/status").body());
        assertEquals("FAILED", s.get("outcome").asText());
        assertEquals("streaming", s.get("phase").asText(), "the stored status is included");
        assertEquals(1, storedReads.get());
        assertEquals(0, JSON.readTree(get("/stores/a/lag").body()).get("samples").size());
    }

    @Test
    void pagesTheFleetsAndEachStoresUnderASlash() throws Exception {
        roster.add(store("a", "RUNNING", null, null));
        start();
        HttpResponse<String> fleet = get("/");
        assertEquals(200, fleet.statusCode());
        assertTrue(fleet.body().contains("replicator fleet"), "the fleet's page");
        HttpResponse<String> page = get("/stores/a/");
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("fetch(\"status\")"), "the single store's page, reading relative routes");
        HttpResponse<String> noSlash = get("/stores/a");
        assertEquals(308, noSlash.statusCode(), "its relative links need the slash: " + noSlash.body());
        assertEquals("/stores/a/", noSlash.headers().firstValue("Location").orElse(""));
    }
}

package io.replicator.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.Chromium;
import io.replicator.testing.ControlPlaneProcess;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.Sqlite3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page at {@code /} of a real {@code run}, in headless Chromium (Debian's package): it shows the phase and
 * the positions and draws the lag chart from the process's live samples; its cutover and replay buttons without the
 * token are refused (401) and change nothing; with the token the page's request is accepted. The page loads nothing
 * from outside the process. A screenshot goes to {@code target/status-page.png}.
 */
class StatusPageIT {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @Test
    void thePageDrawsLiveLagAndTheActionsNeedTheToken() throws Exception {
        Chromium.binary(); // fails at once, with how to install it, when missing
        Path db = SqliteFiles.create(dir, "page.db", "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, qty INTEGER)", "INSERT INTO orders VALUES (1, 'apple', 1)");
        String schema = TestPostgres.freshSchema("page");
        try (ControlPlaneProcess run = ControlPlaneProcess.start(dir, db, schema)) {
            // live data: a few bursts of writes while the sampler takes its one-a-second samples
            for (int burst = 0; burst < 4; burst++) {
                StringBuilder sql = new StringBuilder("BEGIN;");
                for (int i = 0; i < 200; i++) sql.append("INSERT INTO orders (item, qty) VALUES ('item").append(burst).append("', ").append(i).append(");");
                Sqlite3.exec(db, sql.append("COMMIT;").toString());
            }
            long captured = ReplicatorProcess.maxSeq(db);
            ReplicatorProcess.awaitApplied(schema, captured, 60, run.process());
            Await.until("the process holds 5 lag samples", Duration.ofSeconds(30), () -> JSON.readTree(run.get("/lag").body()).get("samples").size() >= 5);

            HttpResponse<String> html = run.get("/");
            assertEquals(200, html.statusCode());
            assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), html.headers().toString());
            assertFalse(html.body().matches("(?s).*(src|href)\\s*=\\s*\"(https?:)?//.*"), "no external asset");

            try (Chromium browser = Chromium.start(dir.resolve("chromium"), 1280, 860)) {
                browser.navigate(run.base() + "/");
                Await.until("the page drew the lag chart and the positions", Duration.ofSeconds(30), () -> {
                    JsonNode v = browser.eval("(() => { const c = document.getElementById('lag-chart'); if (!c) return null;" // still loading
                            + " return {samples: +c.getAttribute('data-samples'), applied: document.getElementById('applied').textContent}; })()");
                    return v != null && v.get("samples").asInt() >= 5 && v.get("applied").asText().replace(",", "").equals(Long.toString(captured));
                });
                JsonNode page = browser.eval("({phase: document.getElementById('phase').textContent,"
                        + " captured: document.getElementById('captured').textContent,"
                        + " points: document.getElementById('lag-line').getAttribute('points'),"
                        + " samples: +document.getElementById('lag-chart').getAttribute('data-samples'),"
                        + " firstAt: +document.getElementById('lag-chart').getAttribute('data-first-at-ms'),"
                        + " html: document.documentElement.outerHTML})");
                assertEquals("streaming", page.get("phase").asText(), page.toString());
                assertEquals(Long.toString(captured), page.get("captured").asText().replace(",", ""));
                String[] points = page.get("points").asText().trim().split("\\s+");
                assertEquals(page.get("samples").asInt(), points.length, "one point per sample: " + page.get("points"));
                for (String pt : points) {
                    String[] xy = pt.split(",");
                    double x = Double.parseDouble(xy[0]), y = Double.parseDouble(xy[1]);
                    assertTrue(x >= 50 && x <= 890 && y >= 20 && y <= 210, "a point inside the plot: " + pt);
                }
                // the chart's samples are the process's: its first sample's time is one the process recorded
                Set<Long> recorded = new HashSet<>();
                JSON.readTree(run.get("/lag").body()).get("samples").forEach(s -> recorded.add(s.get("at_ms").asLong()));
                assertTrue(recorded.contains(page.get("firstAt").asLong()), "the chart starts at a recorded sample: " + page.get("firstAt"));
                assertFalse(page.get("html").asText().contains(ControlPlaneProcess.SECRET), "no password on the page");

                // the actions without the token: refused, nothing changes
                browser.eval("window.confirm = () => true; document.getElementById('cutover').click(); true");
                assertEquals("401", actionStatus(browser), "cutover without the token");
                browser.eval("document.getElementById('replay-from').value = '0'; document.getElementById('replay').click(); true");
                assertEquals("401", actionStatus(browser), "replay without the token");
                browser.eval("document.getElementById('token').value = 'not-the-token'; document.getElementById('cutover').click(); true");
                assertEquals("401", actionStatus(browser), "cutover with a wrong token");
                assertTrue(browser.eval("document.getElementById('action-result').textContent").asText().startsWith("refused: 401"));
                assertEquals("streaming", JSON.readTree(run.get("/status").body()).get("phase").asText(), "no cutover happened");
                Sqlite3.exec(db, "INSERT INTO orders (item, qty) VALUES ('after the refused cutover', 1);"); // SQLite is not fenced

                // with the token the page's request goes through: the page sends it as the bearer header
                browser.eval("document.getElementById('token').value = " + JSON.writeValueAsString(run.token())
                        + "; document.getElementById('replay-from').value = '0'; document.getElementById('replay').click(); true");
                assertEquals("202", actionStatus(browser), "replay with the token");
                browser.eval("document.getElementById('token').value = ''; true");

                Await.until("the chart shows the newest samples", Duration.ofSeconds(10),
                        () -> browser.eval("+document.getElementById('lag-chart').getAttribute('data-samples')").asInt() > page.get("samples").asInt());
                browser.screenshot(SCREENSHOT);
                assertTrue(Files.size(SCREENSHOT) > 10_000, "a screenshot of the page: " + Files.size(SCREENSHOT) + " bytes");
            }
        }
    }

    /** Waits until the page shows the answer to its last action; its HTTP status. */
    private static String actionStatus(Chromium browser) throws Exception {
        String[] status = new String[1];
        Await.until("the page shows the action's answer", Duration.ofSeconds(20), () -> {
            JsonNode v = browser.eval("(() => { const r = document.getElementById('action-result'); const s = r.getAttribute('data-status');"
                    + " if (s) r.removeAttribute('data-status'); return s; })()");
            status[0] = v == null || v.isNull() ? null : v.asText();
            return status[0] != null;
        });
        return status[0];
    }
}

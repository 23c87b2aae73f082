package io.replicator.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.cli.Main;
import io.replicator.core.testing.SqliteFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code plan --stores}: one report for the fleet; a store that would lose data makes it exit 3, and is named. */
class FleetPlanIT {
    @TempDir
    Path dir;

    @Test
    void oneReportForTheFleetNamesTheStoreThatWouldLoseData() throws Exception {
        SqliteFiles.create(dir, "memory.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL)",
                "INSERT INTO notes (body, score) VALUES ('a', 0.5), ('b', 1.5), ('c', 2.5)");
        SqliteFiles.create(dir, "ingest.db", "CREATE TABLE events (id INTEGER PRIMARY KEY, n INTEGER)",
                "INSERT INTO events (n) VALUES (1), ('two'), (x'00')"); // integer, text and blob: no type holds them all
        Files.writeString(dir.resolve("stores.yml"), """
                stores:
                  - name: ingest
                    sqlite: ingest.db
                  - name: memory
                    sqlite: memory.db
                    priority: P0
                  - name: archive
                    sqlite: missing.db
                    priority: P1
                """);
        Path report = dir.resolve("report");
        int code = Main.execute("plan", "--stores", dir.resolve("stores.yml").toString(), "--report", report.toString());
        assertEquals(3, code, "a store that would lose data: exit 3");

        JsonNode j = new ObjectMapper().readTree(Files.readString(Path.of(report + ".json")));
        assertEquals(3, j.path("totals").path("stores").asInt());
        assertEquals(6, j.path("totals").path("rows").asLong());
        assertEquals(1, j.path("totals").path("storesWithLoss").asInt());
        assertEquals(1, j.path("totals").path("storesUnreadable").asInt());
        assertEquals("memory", j.path("stores").get(0).path("name").asText(), "P0 first");
        assertEquals("archive", j.path("stores").get(1).path("name").asText());
        assertTrue(j.path("stores").get(1).path("unreadable").asText().contains("missing.db"), j.toString());
        JsonNode ingest = j.path("stores").get(2);
        assertTrue(ingest.path("errors").get(0).asText().contains("events.n"), ingest.toString());
        assertEquals(2, j.path("stores").get(0).path("types").path("bigint").asInt() + j.path("stores").get(0).path("types").path("double precision").asInt());

        String md = Files.readString(Path.of(report + ".md"));
        assertTrue(md.contains("| ingest | P2 | ingest | 1 | 3 |"), md);
        assertTrue(md.contains("**loss as planned**"), md);
        assertTrue(md.contains("1 store(s) cannot move without loss as planned, 1 cannot be read"), md);
    }
}

package io.replicator.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoresFileTest {
    private static List<Store> parse(String yaml) throws Exception {
        return StoresFile.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), Path.of("/srv/fleet"));
    }

    private static void refused(String yaml, String mustSay) {
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> parse(yaml));
        assertEquals(ExitCode.BAD_CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains(mustSay), () -> "'" + mustSay + "' not in: " + e.getMessage());
    }

    @Test
    void storesComeInPriorityOrderWithDefaults() throws Exception {
        List<Store> s = parse("""
                stores:
                  - name: archive
                    sqlite: archive.db
                  - name: memory
                    sqlite: /data/memory.db
                    schema: mem
                    priority: P0
                  - name: profiles
                    sqlite: profiles.db
                    priority: p1
                """);
        assertEquals(List.of("memory", "profiles", "archive"), s.stream().map(Store::name).toList());
        assertEquals(new Store("memory", Path.of("/data/memory.db"), "mem", Priority.P0), s.get(0));
        assertEquals(new Store("archive", Path.of("/srv/fleet/archive.db"), "archive", Priority.P2), s.get(2), "relative to the file; schema = name");
    }

    @Test
    void mistakesAreRefusedWithTheStoreAndKey() {
        refused("stores:\n  - name: a\n    sqlite: a.db\n    priorty: P0\n", "store a: unknown key 'priorty'");
        refused("stores:\n  - sqlite: a.db\n", "entry 1 has no name");
        refused("stores:\n  - name: a\n", "store a has no sqlite file");
        refused("stores:\n  - name: a\n    sqlite: a.db\n  - name: a\n    sqlite: b.db\n", "store name a is given twice");
        refused("stores:\n  - name: a\n    sqlite: a.db\n  - name: b\n    sqlite: a.db\n", "is listed twice");
        refused("stores:\n  - name: a\n    sqlite: a.db\n    schema: x\n  - name: b\n    sqlite: b.db\n    schema: x\n", "schema x is given to two stores");
        refused("stores:\n  - name: Memory\n    sqlite: a.db\n", "lowercase letters");
        refused("stores:\n  - name: a\n    sqlite: a.db\n    priority: urgent\n", "P0, P1 or P2");
        refused("store:\n  - name: a\n", "top-level 'stores:'");
        refused("stores: []\n", "non-empty list");
    }

    @Test
    void findNamesTheStoresThereAre() throws Exception {
        List<Store> s = parse("stores:\n  - name: a\n    sqlite: a.db\n  - name: b\n    sqlite: b.db\n");
        assertEquals("b", StoresFile.find(s, "b").name());
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> StoresFile.find(s, "c"));
        assertTrue(e.getMessage().contains("stores: a, b"), e.getMessage());
    }
}

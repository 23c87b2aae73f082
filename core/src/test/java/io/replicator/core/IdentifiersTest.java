package io.replicator.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentifiersTest {
    @Test
    void longNamesThatCollideOnceCutGetDistinctDeterministicNames() {
        String a = "col_very_long_name_that_exceeds_postgresql_identifier_limit_aaax";
        String b = "col_very_long_name_that_exceeds_postgresql_identifier_limit_aaay";
        List<NameAllocator.Renamed> renamed = new ArrayList<>();
        Map<String, String> m = NameAllocator.allocate(List.of("id", a, b), renamed);
        assertEquals("id", m.get("id"));
        assertNotEquals(m.get(a), m.get(b));
        assertTrue(Identifiers.utf8Length(m.get(a)) <= 63);
        assertEquals(2, renamed.size());
        assertEquals(m, NameAllocator.allocate(List.of("id", a, b), new ArrayList<>()), "same input, same names");
    }

    @Test
    void quotingKeepsCaseSpacesAndReservedWords() {
        assertEquals("\"Order Details\"", Identifiers.pg("Order Details"));
        assertEquals("\"a\"\"b\"", Identifiers.pg("a\"b"));
        assertEquals("\"s\".\"user\"", Identifiers.pg("s", "user"));
    }

    @Test
    void truncationNeverSplitsACharacter() {
        String s = "é".repeat(40); // 80 bytes
        String cut = Identifiers.truncateUtf8(s, 63);
        assertEquals(31, cut.length());
    }
}

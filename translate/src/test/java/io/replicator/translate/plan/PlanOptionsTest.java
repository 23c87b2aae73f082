package io.replicator.translate.plan;

import io.replicator.core.ReplicatorException;
import io.replicator.core.types.PgType;
import io.replicator.translate.framework.Framework;
import io.replicator.translate.types.ConflictPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options stored with a snapshot come back as they were, the framework it found included. */
class PlanOptionsTest {
    @Test
    void storedOptionsRoundTripWithTheFramework() {
        PlanOptions o = new PlanOptions("app", PlanOptions.of("app", List.of("t.c=uuid"), "widen").typeOverrides(), ConflictPolicy.WIDEN, Framework.DJANGO);
        PlanOptions back = PlanOptions.fromJson("app", o.toJson());
        assertEquals(Framework.DJANGO, back.framework());
        assertEquals(PgType.UUID, back.typeOverrides().get("t.c"));
        assertEquals(ConflictPolicy.WIDEN, back.conflictPolicy());
    }

    @Test
    void optionsStoredByAnEarlierVersionLeaveTheFrameworkToBeRecognized() {
        assertNull(PlanOptions.fromJson("app", "{\"types\": {}, \"on_type_conflict\": \"refuse\"}").framework());
        assertNull(PlanOptions.fromJson("app", null).framework());
    }

    @Test
    void anUnknownStoredFrameworkIsRefusedWithWhatToDo() {
        ReplicatorException e = assertThrows(ReplicatorException.class, () -> PlanOptions.fromJson("app", "{\"framework\": \"COBOL\"}"));
        assertTrue(e.getMessage().contains("COBOL") && e.getMessage().contains("snapshot --drop"), e.getMessage());
    }
}

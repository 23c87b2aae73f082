package io.replicator.metrics;

import io.replicator.status.Positions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status page's lag ring buffer: fixed size, oldest sample overwritten, read back in time order. */
class LagHistoryTest {
    @Test
    void keepsTheNewestSamplesInTimeOrder() {
        LagHistory h = new LagHistory(3);
        assertEquals(List.of(), h.samples());
        for (int i = 1; i <= 5; i++) h.add(Positions.of(100 + i, 100, 100, i == 5 ? 0 : 1_000, i * 1_000L));
        List<LagHistory.Sample> s = h.samples();
        assertEquals(List.of(3_000L, 4_000L, 5_000L), s.stream().map(LagHistory.Sample::atMs).toList());
        assertEquals(List.of(3L, 4L, 5L), s.stream().map(LagHistory.Sample::lagChanges).toList());
        assertEquals(2.0, s.get(0).lagSeconds());
        assertTrue(Double.isNaN(s.get(2).lagSeconds()), "unknown lag stays unknown");
    }

    @Test
    void fifteenMinutesAtOneASecond() {
        LagHistory h = new LagHistory();
        for (int i = 0; i < LagHistory.CAPACITY + 10; i++) h.add(Positions.of(1, 1, 1, 0, i));
        assertEquals(900, h.samples().size());
        assertEquals(10, h.samples().get(0).atMs());
        assertThrows(IllegalArgumentException.class, () -> new LagHistory(0));
    }
}

package io.replicator.fleet;

import io.replicator.run.SnapshotTurn;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotOrderTest {
    @Test
    void turnsComeInEnrolmentOrderAndAGivenBackTurnIsSkipped() throws Exception {
        SnapshotOrder order = new SnapshotOrder();
        SnapshotTurn a = order.enroll(), b = order.enroll(), c = order.enroll(), d = order.enroll();
        List<String> took = new CopyOnWriteArrayList<>();
        Thread tc = waiter(c, "c", took), td = waiter(d, "d", took);
        b.done(); // b failed before its turn came
        a.await();
        took.add("a");
        assertTrue(took.equals(List.of("a")), "c waits for a: " + took);
        a.done(); // b's turn is skipped: c goes
        tc.join(TimeUnit.SECONDS.toMillis(10));
        td.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(List.of("a", "c", "d"), took);
    }

    private static Thread waiter(SnapshotTurn t, String name, List<String> took) {
        Thread th = new Thread(() -> {
            try {
                t.await();
                took.add(name);
                t.done();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        th.start();
        return th;
    }
}

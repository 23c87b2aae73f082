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
        SnapshotOrder order = new SnapshotOrder(1);
        SnapshotTurn a = order.enroll(Priority.P2), b = order.enroll(Priority.P2), c = order.enroll(Priority.P2), d = order.enroll(Priority.P2);
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

    @Test
    void storesOfOnePriorityCopyTogetherUpToTheLimitAndTheNextPriorityWaitsForAllOfThem() throws Exception {
        SnapshotOrder order = new SnapshotOrder(2);
        SnapshotTurn p0a = order.enroll(Priority.P0), p0b = order.enroll(Priority.P0), p0c = order.enroll(Priority.P0), p1 = order.enroll(Priority.P1);
        p0a.await();
        p0b.await(); // two at once
        List<String> took = new CopyOnWriteArrayList<>();
        Thread tc = started(p0c, "p0c", took), t1 = started(p1, "p1", took);
        Thread.sleep(200);
        assertEquals(List.of(), took, "a third P0 waits for a free place, and P1 for every P0");
        p0a.done();
        tc.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(List.of("p0c"), took, "the third P0 takes the free place");
        p0b.done();
        p0b.done(); // given back twice: counted once
        Thread.sleep(200);
        assertEquals(List.of("p0c"), took, "P1 waits while any P0 still copies, though a place is free");
        p0c.done();
        t1.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(List.of("p0c", "p1"), took);
        p1.done();
    }

    /** A thread that takes the turn, notes it, and keeps it (the test gives it back). */
    private static Thread started(SnapshotTurn t, String name, List<String> took) {
        Thread th = new Thread(() -> {
            try {
                t.await();
                took.add(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        th.start();
        return th;
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

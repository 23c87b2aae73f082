package io.replicator.feed;

import io.replicator.core.testing.Await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application writing to {@code accounts(id INTEGER PRIMARY KEY, balance INTEGER, note TEXT)} in its own
 * thread: inserts, transfers between two accounts (sum kept constant), deletes and key changes, each a transaction.
 */
final class LiveWriter implements AutoCloseable {
    static final String TABLE = "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, note TEXT)";

    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong commits = new AtomicLong();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Thread thread;

    LiveWriter(Path db) {
        thread = new Thread(() -> run(db), "app-writer");
        thread.start();
    }

    private void run(Path db) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
            }
            long next = 1_000_000;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO accounts VALUES (?, 100, 'new')");
                 PreparedStatement add = c.prepareStatement("UPDATE accounts SET balance = balance + ?, note = ? WHERE id = (SELECT id FROM accounts WHERE id >= ? ORDER BY id LIMIT 1)");
                 PreparedStatement del = c.prepareStatement("DELETE FROM accounts WHERE id = (SELECT id FROM accounts WHERE id >= ? ORDER BY id LIMIT 1)");
                 PreparedStatement move = c.prepareStatement("UPDATE accounts SET id = ? WHERE id = (SELECT id FROM accounts WHERE id >= ? ORDER BY id LIMIT 1)")) {
                while (!stop.get()) {
                    c.setAutoCommit(false);
                    int kind = r.nextInt(10);
                    if (kind < 4) {
                        ins.setLong(1, ++next);
                        ins.executeUpdate();
                    } else if (kind < 8) {
                        long amount = r.nextInt(1, 50);
                        add.setLong(1, -amount);
                        add.setString(2, "sent " + amount);
                        add.setLong(3, r.nextLong(0, next));
                        add.executeUpdate();
                        add.setLong(1, amount);
                        add.setString(2, "got " + amount);
                        add.setLong(3, r.nextLong(0, next));
                        add.executeUpdate();
                    } else if (kind < 9) {
                        del.setLong(1, r.nextLong(0, next));
                        del.executeUpdate();
                    } else {
                        move.setLong(1, ++next);
                        move.setLong(2, r.nextLong(0, next));
                        move.executeUpdate();
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    commits.incrementAndGet();
                    if (r.nextInt(4) == 0) Thread.sleep(1);
                }
            }
        } catch (Throwable t) {
            error.set(t);
        }
    }

    /** Waits until the application committed {@code n} more transactions, or failed (then {@link #close} throws). */
    void awaitCommits(long n) throws InterruptedException {
        long target = commits.get() + n;
        Await.until("the application committed " + n + " more transactions", Duration.ofSeconds(120),
                () -> commits.get() >= target || error.get() != null, () -> "at " + commits.get() + " of " + target);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
        if (error.get() != null) throw new AssertionError("the application's writer failed", error.get());
    }
}

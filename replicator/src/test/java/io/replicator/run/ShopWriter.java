package io.replicator.run;

import io.replicator.core.testing.Await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application with foreign keys on: customers, their orders, a settings table written with INSERT OR
 * REPLACE over a UNIQUE column, and a log without a primary key. Every transaction keeps the sum of
 * customers.balance at {@link #TOTAL}: transfers move money, new customers start at 0, only customers at 0
 * without orders are deleted. Each log line it committed is remembered ({@link #logged}, by its unique {@code at}),
 * so a test can check that every one landed exactly once. A write refused by the cutover's fence is rolled back,
 * counted in {@link #refused}, and the application tries again, as a real one would until it is switched over.
 */
final class ShopWriter implements AutoCloseable {
    static final long CUSTOMERS = 100_000;
    static final long TOTAL = CUSTOMERS * 100;
    static final String[] SCHEMA = {
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, balance INTEGER NOT NULL)",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), amount REAL, note TEXT)",
            "CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT, slot INTEGER UNIQUE)",
            "CREATE TABLE log (at INTEGER, line TEXT, payload BLOB)",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + CUSTOMERS + ")"
                    + " INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@example.com', 100 FROM n",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)"
                    + " INSERT INTO orders SELECT i, 1 + (i % " + CUSTOMERS + "), i * 0.01, 'order ' || i FROM n",
    };

    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final Set<Long> logged = ConcurrentHashMap.newKeySet();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Thread thread;

    ShopWriter(Path db) {
        thread = new Thread(() -> run(db), "shop-writer");
        thread.start();
    }

    private void run(Path db) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                s.execute("PRAGMA foreign_keys = ON");
            }
            ThreadLocalRandom r = ThreadLocalRandom.current();
            long nextCustomer = CUSTOMERS + 1, nextOrder = 1_000_000;
            try (PreparedStatement move = c.prepareStatement("UPDATE customers SET balance = balance + ? WHERE id = ?");
                 PreparedStatement newCustomer = c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?, 0)");
                 PreparedStatement newOrder = c.prepareStatement("INSERT INTO orders SELECT ?, id, ?, 'new' FROM customers WHERE id >= ? ORDER BY id LIMIT 1");
                 PreparedStatement delOrder = c.prepareStatement("DELETE FROM orders WHERE id = (SELECT id FROM orders WHERE id >= ? ORDER BY id LIMIT 1)");
                 PreparedStatement renumber = c.prepareStatement("UPDATE orders SET id = ? WHERE id = (SELECT id FROM orders WHERE id >= ? ORDER BY id LIMIT 1)");
                 PreparedStatement delCustomer = c.prepareStatement("DELETE FROM customers WHERE id = (SELECT id FROM customers c WHERE id >= ? AND balance = 0"
                         + " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) ORDER BY id LIMIT 1)");
                 PreparedStatement setting = c.prepareStatement("INSERT OR REPLACE INTO settings VALUES (?, ?, ?)");
                 PreparedStatement log = c.prepareStatement("INSERT INTO log VALUES (?, ?, ?)")) {
                while (!stop.get()) {
                    c.setAutoCommit(false);
                    int kind = r.nextInt(10);
                    long at = 0;
                    try {
                        if (kind < 4) { // a transfer: the total stays
                            long amount = r.nextLong(1, 20), from = r.nextLong(1, CUSTOMERS), to = r.nextLong(1, CUSTOMERS);
                            move.setLong(1, -amount);
                            move.setLong(2, from);
                            move.executeUpdate();
                            move.setLong(1, amount);
                            move.setLong(2, to);
                            move.executeUpdate();
                        } else if (kind == 4) {
                            long id = nextCustomer++;
                            newCustomer.setLong(1, id);
                            newCustomer.setString(2, "new " + id + " é🙂");
                            newCustomer.setString(3, "n" + id + "@example.com");
                            newCustomer.executeUpdate();
                        } else if (kind == 5) {
                            newOrder.setLong(1, nextOrder++);
                            newOrder.setDouble(2, r.nextDouble() * 1000);
                            newOrder.setLong(3, r.nextLong(1, nextCustomer));
                            newOrder.executeUpdate();
                            delOrder.setLong(1, r.nextLong(1, nextOrder));
                            delOrder.executeUpdate();
                        } else if (kind == 6) {
                            renumber.setLong(1, nextOrder++);
                            renumber.setLong(2, r.nextLong(1, nextOrder));
                            renumber.executeUpdate();
                        } else if (kind == 7) {
                            delCustomer.setLong(1, r.nextLong(CUSTOMERS, nextCustomer + 1));
                            delCustomer.executeUpdate();
                        } else if (kind == 8) {
                            setting.setString(1, "k" + r.nextInt(50));
                            setting.setString(2, "v" + r.nextInt());
                            setting.setInt(3, r.nextInt(30));
                            setting.executeUpdate();
                        } else {
                            at = System.nanoTime();
                            log.setLong(1, at);
                            log.setString(2, "line");
                            log.setBytes(3, new byte[] {(byte) r.nextInt(), 0, (byte) 0xff});
                            log.executeUpdate();
                        }
                        c.commit();
                    } catch (SQLException e) {
                        if (!String.valueOf(e.getMessage()).contains("moved to PostgreSQL")) throw e;
                        c.rollback(); // fenced by the cutover: nothing of this transaction was written
                        c.setAutoCommit(true);
                        refused.incrementAndGet();
                        Thread.sleep(5);
                        continue;
                    }
                    c.setAutoCommit(true);
                    if (at != 0) logged.add(at);
                    commits.incrementAndGet();
                    Thread.sleep(r.nextInt(3));
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT sum(balance) FROM customers")) {
                rs.next();
                if (rs.getLong(1) != TOTAL) throw new AssertionError("the writer broke its own invariant: " + rs.getLong(1));
            }
        } catch (Throwable t) {
            error.set(t);
        }
    }

    /** Waits until the application committed {@code n} more transactions, or failed (then {@link #close} throws). */
    void awaitCommits(long n) throws InterruptedException {
        long target = commits.get() + n;
        Await.until("the application committed " + n + " more transactions", Duration.ofSeconds(120),
                () -> commits.get() >= target || error.get() != null, () -> "at " + commits.get() + " of " + target + ", " + refused.get() + " refused by the fence");
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(20_000);
        if (error.get() != null) throw new AssertionError("the application's writer failed", error.get());
    }
}

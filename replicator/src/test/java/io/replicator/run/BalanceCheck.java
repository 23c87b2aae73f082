package io.replicator.run;

import io.replicator.core.testing.TestPostgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads {@code sum(balance)} of the shop's customers in PostgreSQL every 10 ms until closed. Every SQLite
 * transaction of {@link ShopWriter} keeps it at {@link ShopWriter#TOTAL}, so any other value is a state SQLite
 * never had (a batch applied in part, or applied twice). A lost connection (PostgreSQL restarting) is not a
 * violation: the check connects again.
 */
final class BalanceCheck implements AutoCloseable {
    private final String schema;
    private final AtomicBoolean checking = new AtomicBoolean(true);
    private final AtomicLong checks = new AtomicLong();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Thread thread;

    BalanceCheck(String schema) {
        this.schema = schema;
        this.thread = new Thread(this::run, "balance-check");
        thread.start();
    }

    private void run() {
        while (checking.get()) {
            try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement()) {
                while (checking.get()) {
                    try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM \"" + schema + "\".customers")) {
                        rs.next();
                        if (rs.getLong(1) != ShopWriter.TOTAL) violations.add("sum(balance) = " + rs.getLong(1));
                    }
                    checks.incrementAndGet();
                    Thread.sleep(10);
                }
            } catch (SQLException e) {
                String state = String.valueOf(e.getSQLState());
                if (!state.startsWith("08") && !state.startsWith("57P")) violations.add("checker failed: " + e);
                pause(200); // PostgreSQL is away: try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long checks() {
        return checks.get();
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() throws InterruptedException {
        checking.set(false);
        thread.join(10_000);
    }
}

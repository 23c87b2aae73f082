package io.replicator.sink;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * One Kafka admin client per bootstrap address for the whole process, kept open: creating one costs a thread, a
 * connection and a metadata round trip, and each store asked for three while starting (the feed's topic twice, the
 * sink's topic id), so a fleet of 100 created 300 at once and its start waited on them. Admin clients are
 * thread-safe; each call sets its own timeout. The one of an embedded broker is closed with the broker
 * ({@link #close}); others end with the process (their thread is a daemon).
 */
public final class KafkaAdmins {
    private static final Map<String, Admin> ADMINS = new HashMap<>();

    private KafkaAdmins() {}

    /** The process's admin client of {@code bootstrap}; not to be closed by the caller. */
    public static synchronized Admin of(String bootstrap) {
        return ADMINS.computeIfAbsent(bootstrap, b -> Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b,
                AdminClientConfig.CLIENT_ID_CONFIG, "replicator-admin", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000)));
    }

    /** Closes the admin client of {@code bootstrap}, if any (its broker is going away). */
    public static void close(String bootstrap) {
        Admin a;
        synchronized (KafkaAdmins.class) {
            a = ADMINS.remove(bootstrap);
        }
        if (a != null) a.close(java.time.Duration.ofSeconds(5));
    }
}

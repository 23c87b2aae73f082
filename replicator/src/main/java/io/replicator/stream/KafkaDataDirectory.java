package io.replicator.stream;

import io.replicator.core.ReplicatorException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory of the {@link EmbeddedKafka} node. It is formatted (a new cluster id,
 * {@link MetadataVersion#latestProduction()}) only while it holds no {@value #META_PROPERTIES}, so starting again
 * on the same directory keeps every topic and record. While a broker runs on it, it holds a lock on
 * {@value #LOCK_FILE}, so a second broker (in this or another process) cannot open the same data.
 */
final class KafkaDataDirectory {
    private static final String META_PROPERTIES = "meta.properties";
    private static final String LOCK_FILE = "embedded-kafka.lock";

    private KafkaDataDirectory() {}

    /** Creates the directory when missing; returns it absolute and normalized. */
    static Path prepare(Path logDir) {
        Path dir = logDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            throw ReplicatorException.runtime("Cannot create the Kafka data directory " + dir + " (" + e
                    + "). Choose a directory you can write to.", e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw ReplicatorException.runtime("The Kafka data directory " + dir + " is not a writable directory."
                    + " Fix its permissions or choose another directory.", null);
        }
        return dir;
    }

    /** Formats the directory unless it already holds {@value #META_PROPERTIES}. */
    static void formatIfNew(Path dir) {
        if (!Files.exists(dir.resolve(META_PROPERTIES))) {
            format(dir);
        }
    }

    /** Writes meta.properties and the bootstrap checkpoint; the new cluster id is kept in meta.properties. */
    private static void format(Path dir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(BrokerProperties.NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(dir.toString())
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw ReplicatorException.runtime("Cannot format the Kafka data directory " + dir + ": " + EmbeddedKafka.reason(e)
                    + ". Make sure it is writable and not used by another process, or choose another directory.", e);
        }
    }

    /**
     * Locks {@value #LOCK_FILE} in the directory for the broker's lifetime; closing the returned channel releases
     * it. Kafka's own lock on a log directory that also holds the metadata log is taken by the broker part, after
     * the controller part has already opened and written that log: too late to keep a second broker away.
     */
    static FileChannel lock(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by this JVM: fall through to the message below
        } catch (IOException e) {
            closeQuietly(channel);
            throw ReplicatorException.runtime("Cannot lock the Kafka data directory " + dir + " (" + e
                    + "). Choose a directory you can write to.", e);
        }
        closeQuietly(channel);
        throw ReplicatorException.runtime("The Kafka data directory " + dir + " is in use by another embedded"
                + " broker (in this or another process). Stop that one first, or choose another directory.", null);
    }

    /** Releases the lock taken by {@link #lock}; null is allowed. */
    static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // releasing the lock; nothing else to do
            }
        }
    }
}

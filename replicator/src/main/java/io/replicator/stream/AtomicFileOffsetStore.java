package io.replicator.stream;

import io.debezium.embedded.KafkaConnectUtil;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Kafka Connect's file offset store, written safely: the offsets go to a temporary file beside the real one,
 * which is forced to disk and then renamed over it. Kafka's own store rewrites the file in place, so a kill or a
 * full disk during that write left a truncated file and the feed's position was lost (it then started again
 * from the snapshot's mark). Same file format, so {@link FeedOffsets} and earlier files read the same.
 */
public final class AtomicFileOffsetStore extends FileOffsetBackingStore {
    private Path file;

    public AtomicFileOffsetStore() {
        super(KafkaConnectUtil.converterForOffsetStore());
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        file = Paths.get(config.getString(StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG));
    }

    @Override
    protected void save() {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Map<byte[], byte[]> raw = new HashMap<>();
            for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
                raw.put(e.getKey() == null ? null : e.getKey().array(), e.getValue() == null ? null : e.getValue().array());
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                ObjectOutputStream os = new ObjectOutputStream(out);
                os.writeObject(raw);
                os.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ConnectException("cannot write the feed's position to " + file + ": " + e.getMessage()
                    + " (the previous position is kept; free space or fix the directory, then restart)", e);
        }
    }
}

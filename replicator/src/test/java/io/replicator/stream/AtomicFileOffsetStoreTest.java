package io.replicator.stream;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The feed's position file is replaced whole: a write cut short (a partial temporary file) never costs the stored position. */
class AtomicFileOffsetStoreTest {
    @TempDir
    Path dir;

    private AtomicFileOffsetStore open(Path file) {
        AtomicFileOffsetStore s = new AtomicFileOffsetStore();
        s.configure(new StandaloneConfig(Map.of("key.converter", JsonConverter.class.getName(), "value.converter", JsonConverter.class.getName(),
                "offset.storage.file.filename", file.toString(), "bootstrap.servers", "127.0.0.1:9")));
        s.start();
        return s;
    }

    private static ByteBuffer b(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFailedOrPartialWriteLeavesTheLastPositionReadable() throws Exception {
        Path file = dir.resolve("feed-offsets.dat");
        AtomicFileOffsetStore s = open(file);
        s.set(Map.of(b("[\"feed\",{\"capture\":\"x\"}]"), b("{\"seq\":41}")), null).get();
        s.set(Map.of(b("[\"feed\",{\"capture\":\"x\"}]"), b("{\"seq\":42}")), null).get();
        assertFalse(Files.exists(dir.resolve("feed-offsets.dat.tmp")), "the temporary file was renamed over the real one");
        Files.createDirectory(dir.resolve("feed-offsets.dat.tmp")); // the next save cannot write (as with a full disk)
        assertThrows(java.util.concurrent.ExecutionException.class,
                () -> s.set(Map.of(b("[\"feed\",{\"capture\":\"x\"}]"), b("{\"seq\":43}")), null).get());
        s.stop();
        Files.delete(dir.resolve("feed-offsets.dat.tmp"));
        Files.write(dir.resolve("feed-offsets.dat.tmp"), new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5, 1}); // a save killed half-way

        AtomicFileOffsetStore again = open(file);
        Map<ByteBuffer, ByteBuffer> got = again.get(List.of(b("[\"feed\",{\"capture\":\"x\"}]"))).get();
        again.stop();
        assertEquals("{\"seq\":42}", StandardCharsets.UTF_8.decode(got.get(b("[\"feed\",{\"capture\":\"x\"}]"))).toString());
    }
}

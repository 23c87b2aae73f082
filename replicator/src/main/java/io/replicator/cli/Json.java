package io.replicator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON output of reports. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    static void print(Object o) {
        try {
            System.out.println(MAPPER.writeValueAsString(o));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(Path file, Object o) throws IOException {
        Files.writeString(file, MAPPER.writeValueAsString(o) + "\n");
    }
}

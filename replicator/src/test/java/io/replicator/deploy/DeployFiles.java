package io.replicator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micronaut.http.annotation.Get;
import io.replicator.control.ControlController;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reading the repository's deploy files, and the facts of the code they must agree with. */
final class DeployFiles {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** A URL with a password in it: scheme://user:password@host. */
    static final Pattern PASSWORD_IN_URL = Pattern.compile("://[^/@:\\s]+:[^/@\\s]+@");

    private DeployFiles() {}

    static JsonNode yaml(String relative) throws IOException {
        return YAML.readTree(ROOT.resolve(relative).toFile());
    }

    /** Every document of every .yaml file under {@code relativeDir}. */
    static List<JsonNode> documents(String relativeDir) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve(relativeDir))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var parser = YAML.getFactory().createParser(f.toFile())) {
                    YAML.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                        if (d != null && !d.isNull()) docs.add(d);
                    });
                }
            }
        }
        return docs;
    }

    /** The path of a control plane endpoint, from its handler's annotation. */
    static String endpoint(String method) throws NoSuchMethodException {
        return ControlController.class.getMethod(method).getAnnotation(Get.class).value();
    }

    /** The default --http-port of run, from its option's annotation. */
    static int httpPort() throws Exception {
        var field = Class.forName("io.replicator.cli.RunCommand").getDeclaredField("httpPort");
        return Integer.parseInt(field.getAnnotation(picocli.CommandLine.Option.class).defaultValue());
    }
}

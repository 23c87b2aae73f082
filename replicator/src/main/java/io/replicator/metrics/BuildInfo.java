package io.replicator.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What is running: the replicator's version (written into {@code replicator-build.properties} by Maven when the module
 * is built) and the Java runtime's. Exported as {@code replicator_build_info{version=...,java=...} 1}, the Prometheus
 * convention for facts that are labels rather than numbers.
 */
public record BuildInfo(String version, String java) {
    static final String RESOURCE = "/replicator-build.properties";

    /** This build's; "unknown" when the resource is missing (classes compiled without Maven's resource step). */
    public static BuildInfo current() {
        String version = "unknown";
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "").trim();
                if (!v.isEmpty() && !v.startsWith("${")) version = v;
            }
        } catch (IOException e) {
            // keep "unknown": a missing version must not stop the process
        }
        return new BuildInfo(version, System.getProperty("java.runtime.version", System.getProperty("java.version", "unknown")));
    }
}

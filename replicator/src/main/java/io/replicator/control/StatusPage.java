package io.replicator.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The status page served at {@code /}: one HTML file in the jar ({@code status-page.html} beside this class) with its
 * CSS, script and chart inline, so it needs nothing from outside the process. It only reads {@code /status} and
 * {@code /lag}; its actions are the token-guarded POST endpoints, so the page adds no power of its own.
 */
final class StatusPage {
    private static final String RESOURCE = "status-page.html";
    private static final String HTML = load();

    private StatusPage() {}

    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}

package io.replicator.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The status page served at {@code /}: one HTML file in the jar ({@code status-page.html} beside this class) with its
 * CSS, script and chart inline, so it needs nothing from outside the process. It only reads {@code /status} and
 * {@code /lag}; its actions are the token-guarded POST endpoints, so the page adds no power of its own. Its links
 * are relative, so a fleet serves the same page for each store at {@code /stores/<name>/}.
 *
 * <p>A fleet's page ({@code fleet-page.html}) lists the stores from the fleet's {@code /status}, each linking to its
 * own page and data; it reads only.
 */
final class StatusPage {
    private static final String HTML = load("status-page.html");
    private static final String FLEET_HTML = load("fleet-page.html");

    private StatusPage() {}

    static String html() {
        return HTML;
    }

    static String fleetHtml() {
        return FLEET_HTML;
    }

    private static String load(String resource) {
        try (InputStream in = StatusPage.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}

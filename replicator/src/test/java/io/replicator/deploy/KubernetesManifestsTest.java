package io.replicator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.cli.Main;
import io.replicator.core.PostgresUrl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s agrees with the code: a StatefulSet of one with the state directory on a claim template, probes on the
 * control plane's real liveness and readiness paths and port, DATABASE_URL from a Secret (the password as a mounted
 * file), application.yml from a ConfigMap at $REPLICATOR_CONFIG that the tool itself accepts, a Service selecting
 * the pod. (No schema validator for Kubernetes manifests installs here without a cluster; see deploy/README.md.)
 */
class KubernetesManifestsTest {
    private static List<JsonNode> docs;
    private static JsonNode sts;
    private static JsonNode container;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() throws Exception {
        docs = DeployFiles.documents("deploy/k8s");
        sts = only("StatefulSet");
        container = sts.at("/spec/template/spec/containers/0");
    }

    @Test
    void theKustomizationListsEveryManifest() throws Exception {
        List<String> listed = new ArrayList<>();
        only("Kustomization").get("resources").forEach(r -> listed.add(r.asText()));
        try (var files = Files.list(DeployFiles.ROOT.resolve("deploy/k8s"))) {
            List<String> present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
            assertEquals(present, listed.stream().sorted().toList());
        }
    }

    @Test
    void oneReplicaWithItsStateDirectoryOnAClaimTemplate() {
        assertEquals(1, sts.at("/spec/replicas").asInt(), "two replicators on one SQLite file would both feed and apply");
        String claim = sts.at("/spec/volumeClaimTemplates/0/metadata/name").asText();
        assertFalse(claim.isEmpty());
        assertEquals(stateDir(), mountPath(claim), "the state directory of application.yml is on the claim");
        assertTrue(sts.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean());
        assertTrue(sts.at("/spec/template/spec/securityContext/runAsUser").asInt() > 0);
        assertEquals(sts.at("/spec/serviceName").asText(), only("Service").at("/metadata/name").asText(), "the governing Service exists");
    }

    @Test
    void probesAskTheControlPlanesRealPaths() throws Exception {
        assertEquals(DeployFiles.endpoint("liveness"), container.at("/livenessProbe/httpGet/path").asText());
        assertEquals(DeployFiles.endpoint("readiness"), container.at("/readinessProbe/httpGet/path").asText());
        assertEquals(DeployFiles.endpoint("liveness"), container.at("/startupProbe/httpGet/path").asText(),
                "the control plane starts after the snapshot: a startup probe holds liveness off until then");
        String portName = container.at("/livenessProbe/httpGet/port").asText();
        JsonNode port = null;
        for (JsonNode p : container.get("ports")) if (p.get("name").asText().equals(portName)) port = p;
        assertNotNull(port, "the probe's port is the container's");
        assertEquals(DeployFiles.httpPort(), port.get("containerPort").asInt());
        assertEquals(DeployFiles.httpPort(), config().get("http-port").asInt());
        assertEquals("0.0.0.0", config().get("http-host").asText(), "reachable by the kubelet's probes, not only the pod's loopback");
        JsonNode svc = only("Service");
        assertEquals(sts.at("/spec/template/metadata/labels"), svc.at("/spec/selector"), "the Service selects the pod");
        assertEquals(portName, svc.at("/spec/ports/0/targetPort").asText());
    }

    @Test
    void theDatabaseUrlComesFromASecretAndThePasswordFromAFile() {
        JsonNode secret = only("Secret");
        JsonNode ref = env("DATABASE_URL").at("/valueFrom/secretKeyRef");
        assertEquals(secret.at("/metadata/name").asText(), ref.get("name").asText());
        assertTrue(secret.get("stringData").has(ref.get("key").asText()));
        assertFalse(PostgresUrl.parse(secret.at("/stringData/DATABASE_URL").asText()).hasPassword(), "the URL carries no password");
        String passwordFile = env("REPLICATOR_POSTGRES_PASSWORD_FILE").get("value").asText();
        Path file = Path.of(passwordFile);
        String mount = file.getParent().toString();
        JsonNode volume = volume(volumeMountedAt(mount));
        assertEquals(secret.at("/metadata/name").asText(), volume.at("/secret/secretName").asText());
        assertTrue(secret.get("stringData").has(file.getFileName().toString()));
        for (JsonNode a : container.get("args")) assertFalse(DeployFiles.PASSWORD_IN_URL.matcher(a.asText()).find(), a.asText());
    }

    @Test
    void applicationYmlComesFromAConfigMapTheToolAccepts() throws Exception {
        String configPath = env("REPLICATOR_CONFIG").get("value").asText();
        JsonNode mount = null;
        for (JsonNode m : container.get("volumeMounts")) if (m.get("mountPath").asText().equals(configPath)) mount = m;
        assertNotNull(mount, "$REPLICATOR_CONFIG is mounted");
        assertEquals(only("ConfigMap").at("/metadata/name").asText(), volume(mount.get("name").asText()).at("/configMap/name").asText());
        assertEquals("application.yml", mount.get("subPath").asText());

        Path yml = Files.writeString(dir.resolve("application.yml"), only("ConfigMap").at("/data/application.yml").asText());
        String before = System.getProperty("replicator.config");
        System.setProperty("replicator.config", yml.toString());
        try {
            assertEquals(0, Main.execute("run", "--help"), "the tool reads this application.yml (an unknown key would be exit 2)");
            Files.writeString(yml, "replicator:\n  state-dri: /x\n");
            assertEquals(2, Main.execute("run", "--help"), "and the check itself works");
        } finally {
            if (before == null) System.clearProperty("replicator.config");
            else System.setProperty("replicator.config", before);
        }
    }

    private static JsonNode only(String kind) {
        List<JsonNode> found = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertEquals(1, found.size(), "one " + kind + " in deploy/k8s");
        return found.get(0);
    }

    private static JsonNode config() {
        try {
            return DeployFiles.YAML.readTree(only("ConfigMap").at("/data/application.yml").asText()).get("replicator");
        } catch (Exception e) {
            throw new AssertionError("application.yml of the ConfigMap is YAML", e);
        }
    }

    private static String stateDir() {
        return config().get("state-dir").asText();
    }

    private static JsonNode env(String name) {
        for (JsonNode e : container.get("env")) if (e.get("name").asText().equals(name)) return e;
        throw new AssertionError("no env " + name + " in the container");
    }

    private static String mountPath(String volume) {
        for (JsonNode m : container.get("volumeMounts")) if (m.get("name").asText().equals(volume)) return m.get("mountPath").asText();
        throw new AssertionError("volume " + volume + " is not mounted");
    }

    private static String volumeMountedAt(String path) {
        for (JsonNode m : container.get("volumeMounts")) if (m.get("mountPath").asText().equals(path)) return m.get("name").asText();
        throw new AssertionError("nothing is mounted at " + path);
    }

    private static JsonNode volume(String name) {
        for (JsonNode v : sts.at("/spec/template/spec/volumes")) if (v.get("name").asText().equals(name)) return v;
        throw new AssertionError("no volume " + name);
    }
}

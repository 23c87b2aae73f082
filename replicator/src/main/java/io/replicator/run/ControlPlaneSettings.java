package io.replicator.run;

import io.replicator.core.ReplicatorException;

/**
 * The HTTP control plane of {@code run}.
 *
 * @param enabled false for {@code --no-http}
 * @param token   the bearer token for state-changing requests, or null to use (or generate) the state directory's
 */
public record ControlPlaneSettings(boolean enabled, String host, int port, String token) {
    public ControlPlaneSettings {
        if (port < 0 || port > 65535) throw ReplicatorException.config("--http-port must be 0..65535, got " + port);
    }
}

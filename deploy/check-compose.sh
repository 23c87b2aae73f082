#!/usr/bin/env bash
# Validates docker-compose.yml the way Compose itself reads it (schema, interpolation, references
# between services, volumes and secrets) without a Docker engine: `docker compose config` when the
# Compose plugin is there, else Debian's docker-compose (1.29), installed when missing. Idempotent.
# The file's content is also checked by DeployFilesTest (replicator module).
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose is not installed; installing Debian's package" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  fi
  compose=(docker-compose)
fi
"${compose[@]}" -f docker-compose.yml config -q
echo "docker-compose.yml: valid for $("${compose[@]}" version --short 2>/dev/null || echo compose)"

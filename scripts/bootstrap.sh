#!/usr/bin/env bash
# Installs what this repository needs on a Debian 12 machine, then `pnpm install --frozen-lockfile`.
# Idempotent and quick when everything is present: each step is skipped if its tool is already there.
#   scripts/bootstrap.sh          everything the tests and the native stack need
#   scripts/bootstrap.sh --node   only pnpm + node_modules (for docker compose users)
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive TURBO_TELEMETRY_DISABLED=1

log() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${1:-}" != "--node" ]; then
  # Postgres, Redis, Swift (+ its S3 API) and memcached: the native stack. qemu-utils: VHD fixtures.
  # python3-glanceclient / python3-openstackclient: the OpenStack client checks. docker-compose (v1): offline compose validation.
  # kubectl (for `kubectl kustomize`) ships with these machines' image; Debian 12 has no package for it.
  need=()
  [ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v memcached >/dev/null || need+=(memcached)
  command -v qemu-img >/dev/null || need+=(qemu-utils)
  /usr/bin/python3 -c 'import swift.common.middleware.s3api' 2>/dev/null && command -v swift-object-server >/dev/null ||
    need+=(swift swift-proxy swift-object swift-container swift-account)
  command -v glance >/dev/null || need+=(python3-glanceclient)
  # python3-openstackclient: the `openstack` CLI and openstacksdk, the image API's second real-client check.
  command -v openstack >/dev/null || need+=(python3-openstackclient)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  # tini: the containers' init; the deployment tests start the pruned services under it as the images do.
  command -v tini >/dev/null || need+=(tini)
  # prometheus: only for /usr/bin/promtool, which checks and unit-tests deploy/monitoring's alert rules.
  [ -x /usr/bin/promtool ] || need+=(prometheus)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian's maintainer scripts may start system daemons; the stack runs its own on free ports instead.
    for svc in redis-server memcached postgresql prometheus prometheus-node-exporter; do as_root service "$svc" stop >/dev/null 2>&1 || true; done
  fi
fi

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  # corepack's signature check fails on this Node release, so pnpm comes from npm.
  log "npm i -g pnpm@$pnpm_version"
  as_root npm i -g "pnpm@$pnpm_version" >/dev/null
fi

log "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3

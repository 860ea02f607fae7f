#!/usr/bin/env bash
# scripts/run.sh on a machine with a Docker engine: the docker compose stack (Postgres, Redis, MinIO, migrate,
# api, worker), then the same demo as the native path, as a client on the host.
set -euo pipefail
cd "$(dirname "$0")/.."
ONCE=false
[ "${1:-}" = "--once" ] && ONCE=true
log() { printf '\n==> %s\n' "$*"; }

bash scripts/bootstrap.sh --node
pnpm turbo run build --filter @cloud-images/demo... --filter @cloud-images/cli... --output-logs=errors-only

log "docker compose up --build --wait"
docker compose up -d --build --wait

log "demo tenant and a creator token"
API_TOKEN=$(docker compose --profile demo run --rm -T demo-tenant | grep -o '"token": *"[^"]*"' | tail -n 1 | cut -d'"' -f4)
[ -n "$API_TOKEN" ] || { echo "could not create the demo token" >&2; exit 1; }

export API_TOKEN API_URL="http://127.0.0.1:${API_PORT:-9292}" \
  DEMO_S3_ENDPOINT="http://127.0.0.1:${MINIO_PORT:-9000}" \
  DEMO_TENANT_S3_ACCESS_KEY="${DEMO_TENANT_ACCESS_KEY:-demo-tenant}" \
  DEMO_TENANT_S3_SECRET_KEY="${DEMO_TENANT_SECRET_KEY:-demo-tenant-secret}" \
  DEMO_BUCKET_PREFIX="${DEMO_TENANT_BUCKET_PREFIX:-demo-}" DEMO_CONTAINER=images DEMO_EXPORT_CONTAINER=exports
node tools/demo/dist/demo.js
mkdir -p .stack
bash scripts/cli-import-demo.sh .stack

cat <<MSG

The system is running in docker compose:
  API      $API_URL   (token: export API_TOKEN=$API_TOKEN)
  MinIO    http://127.0.0.1:${MINIO_CONSOLE_PORT:-9001} (console)
  scale    docker compose up -d --scale worker=4
  stop     docker compose down        (add -v to drop the volumes)
MSG
if $ONCE; then docker compose down; fi

#!/usr/bin/env bash
# The README's first command: bring up the whole system and show an import and an export working.
#   - docker compose, where a Docker engine answers;
#   - otherwise the native stack (Postgres, Redis, Swift S3 from Debian packages) plus the API and one worker.
# Then it creates a demo tenant and token, uploads a small VHD, imports it, exports it, and prints the tasks;
# last, the tenant CLI (`cloud-images import`) imports a second disk.
#   bash scripts/run.sh            keep the system running until Ctrl-C
#   bash scripts/run.sh --once     stop everything after the demo (used to check this script)
set -euo pipefail
cd "$(dirname "$0")/.."
ONCE=false
[ "${1:-}" = "--once" ] && ONCE=true
export TURBO_TELEMETRY_DISABLED=1
log() { printf '\n==> %s\n' "$*"; }

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  exec bash scripts/run-compose.sh "$@"
fi
echo "No Docker engine answers here: starting the native stack instead."

bash scripts/bootstrap.sh
log "pnpm build"
pnpm turbo run build --output-logs=errors-only

state=.stack
mkdir -p "$state"
rm -f "$state/env"
app_pids=()
stack_pid=
cleanup() {
  trap - EXIT INT TERM
  log "stopping"
  # The API and worker first (they drain on SIGTERM), then the services they use.
  for pid in "${app_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${app_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$stack_pid" ]; then kill -TERM "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "native stack: Postgres, Redis, Swift S3 (logs: $state/stack.log)"
node packages/test-stack/dist/cli.js up --write-env "$state/env" >"$state/stack.log" 2>&1 &
stack_pid=$!
for _ in $(seq 1 120); do [ -s "$state/env" ] && break; sleep 0.5; done
[ -s "$state/env" ] || { cat "$state/stack.log"; echo "the stack did not start" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "./$state/env"
TENANT_SECRET_KEY=${TENANT_SECRET_KEY:-$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')}
LOG_LEVEL=${LOG_LEVEL:-warn}
PORT=${PORT:-9292}
HEALTH_PORT=${HEALTH_PORT:-9393}
OPS_PORT=${OPS_PORT:-9191}
EXPORT_TASK_GAUGES=${EXPORT_TASK_GAUGES:-true}
set +a

log "migrate"
node packages/shared/dist/db/migrate-cli.js

log "api on :$PORT and worker (logs: $state/api.log, $state/worker.log)"
# As in compose and k8s, the API server never gets TENANT_SECRET_KEY (only the worker and the admin CLI).
env -u TENANT_SECRET_KEY node services/api/dist/main.js >"$state/api.log" 2>&1 &
app_pids+=($!)
node services/worker/dist/main.js >"$state/worker.log" 2>&1 &
app_pids+=($!)
for url in "http://127.0.0.1:$OPS_PORT/readyz" "http://127.0.0.1:$HEALTH_PORT/readyz"; do
  for _ in $(seq 1 60); do curl -fsS "$url" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$url" >/dev/null || { tail -n 30 "$state"/api.log "$state"/worker.log; exit 1; }
done

log "demo tenant 00000123 and a creator token"
admin() { node services/api/dist/admin/cli.js "$@"; }
# The tenant's secret goes through the environment (TENANT_S3_SECRET_KEY), never argv.
TENANT_S3_SECRET_KEY="$DEMO_TENANT_S3_SECRET_KEY" admin tenant create --id 00000123 --name demo \
  --bucket-prefix demo- --s3-access-key "$DEMO_TENANT_S3_ACCESS_KEY" >/dev/null
API_TOKEN=$(admin token create --tenant 00000123 --role creator | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
export DEMO_BUCKET_PREFIX=demo- API_TOKEN API_URL="http://127.0.0.1:$PORT" DEMO_S3_ENDPOINT="$S3_ENDPOINT" DEMO_S3_REGION="$S3_REGION"
node tools/demo/dist/demo.js
bash scripts/cli-import-demo.sh "$state"
# The demo's own secrets go to a private file rather than the terminal.
(umask 077; printf 'TENANT_SECRET_KEY=%s\nAPI_TOKEN=%s\n' "$TENANT_SECRET_KEY" "$API_TOKEN" >"$state/app.env")

cat <<MSG

The system is running natively:
  API        $API_URL   (the demo token is API_TOKEN in $state/app.env)
  api ops    health, metrics and the queue UI on http://127.0.0.1:$OPS_PORT (docs/operations.md)
  worker     health and metrics on http://127.0.0.1:$HEALTH_PORT
  services   settings in $state/env; logs in $state/
  shell      set -a; . ./$state/env; . ./$state/app.env; set +a
  admin      node services/api/dist/admin/cli.js --help
  tenant CLI node packages/cli/dist/cli.js --help   (cloud-images import FILE --name NAME, export, tasks, ...)
MSG
if $ONCE; then exit 0; fi
echo "Press Ctrl-C to stop."
wait "$stack_pid"

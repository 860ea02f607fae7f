#!/usr/bin/env bash
# The README's test command: set up what is missing, then build, lint, typecheck and run every test once
# against real Postgres, Redis and S3 (native services here; testcontainers where a Docker engine answers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec pnpm test

#!/usr/bin/env bash
# The demo's last step: a tenant imports a second disk with the `cloud-images` CLI (validate locally, upload with
# multipart, create the task, follow it, print the image id). Called by run.sh and run-compose.sh with the demo's
# API_URL, API_TOKEN and DEMO_* settings in the environment. $1: a directory for the disk file.
set -euo pipefail
dir=$1
printf '\n==> %s\n' "cloud-images import of a second disk (packages/cli)"
node tools/demo/dist/write-sample-disk.js "$dir/second-disk.vhd"
# The secrets go through the environment, never argv (ps and shell history would show them).
CLOUD_IMAGES_API_URL="$API_URL" CLOUD_IMAGES_TOKEN="$API_TOKEN" \
  CLOUD_IMAGES_S3_ENDPOINT="$DEMO_S3_ENDPOINT" CLOUD_IMAGES_S3_REGION="${DEMO_S3_REGION:-us-east-1}" \
  CLOUD_IMAGES_S3_ACCESS_KEY="$DEMO_TENANT_S3_ACCESS_KEY" CLOUD_IMAGES_S3_SECRET_KEY="$DEMO_TENANT_S3_SECRET_KEY" \
  CLOUD_IMAGES_BUCKET_PREFIX="${DEMO_BUCKET_PREFIX:-}" \
  node packages/cli/dist/cli.js import "$dir/second-disk.vhd" --name "second disk"

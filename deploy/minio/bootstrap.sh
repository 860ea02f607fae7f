#!/bin/sh
# One-shot MinIO bootstrap, run with the `mc` client (image minio/mc) by docker-compose.yml (service minio-init)
# and by the dev k8s overlay (Job minio-bootstrap). Idempotent: safe to run on every `docker compose up`.
#
# It creates, with the MinIO root credentials (used here and nowhere else):
#   1. the private image-store bucket, and a service user whose policy allows that bucket only
#      (the api and the worker use this user: S3_ACCESS_KEY / S3_SECRET_KEY);
#   2. a demo tenant: a MinIO user, a container (bucket) for it, and a policy scoped to that tenant's
#      buckets only (every bucket whose name starts with DEMO_TENANT_BUCKET_PREFIX).
#
# Environment (defaults in brackets):
#   MINIO_URL [http://minio:9000]  MINIO_ROOT_USER  MINIO_ROOT_PASSWORD
#   IMAGE_STORE_BUCKET [cloud-images-store]  SERVICE_ACCESS_KEY  SERVICE_SECRET_KEY
#   DEMO_TENANT_ACCESS_KEY [demo-tenant]  DEMO_TENANT_SECRET_KEY  DEMO_TENANT_BUCKET_PREFIX [demo-]
#   DEMO_TENANT_CONTAINER [demo-images]  (must start with DEMO_TENANT_BUCKET_PREFIX)
set -eu

MINIO_URL="${MINIO_URL:-http://minio:9000}"
IMAGE_STORE_BUCKET="${IMAGE_STORE_BUCKET:-cloud-images-store}"
DEMO_TENANT_ACCESS_KEY="${DEMO_TENANT_ACCESS_KEY:-demo-tenant}"
DEMO_TENANT_BUCKET_PREFIX="${DEMO_TENANT_BUCKET_PREFIX:-demo-}"
DEMO_TENANT_CONTAINER="${DEMO_TENANT_CONTAINER:-demo-images}"
: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is required}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is required}"
: "${SERVICE_ACCESS_KEY:?SERVICE_ACCESS_KEY is required}"
: "${SERVICE_SECRET_KEY:?SERVICE_SECRET_KEY is required}"
: "${DEMO_TENANT_SECRET_KEY:?DEMO_TENANT_SECRET_KEY is required}"

case "$DEMO_TENANT_CONTAINER" in
  "$DEMO_TENANT_BUCKET_PREFIX"*) ;;
  *) echo "DEMO_TENANT_CONTAINER ($DEMO_TENANT_CONTAINER) must start with DEMO_TENANT_BUCKET_PREFIX ($DEMO_TENANT_BUCKET_PREFIX)" >&2; exit 2 ;;
esac

WORK="${TMPDIR:-/tmp}/minio-bootstrap.$$"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
# mc keeps its aliases in $HOME/.mc; the k8s Job runs with a read-only root filesystem.
export MC_CONFIG_DIR="$WORK/mc"

echo "waiting for MinIO at $MINIO_URL"
attempt=0
until mc alias set local "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "MinIO did not answer at $MINIO_URL" >&2
    exit 1
  fi
  sleep 2
done

# 1. image store: private bucket, service user limited to it.
mc mb --ignore-existing "local/$IMAGE_STORE_BUCKET"
mc anonymous set none "local/$IMAGE_STORE_BUCKET"

cat >"$WORK/service-policy.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::${IMAGE_STORE_BUCKET}"]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts"
      ],
      "Resource": ["arn:aws:s3:::${IMAGE_STORE_BUCKET}/*"]
    }
  ]
}
JSON
mc admin policy create local cloud-images-service "$WORK/service-policy.json"
mc admin user add local "$SERVICE_ACCESS_KEY" "$SERVICE_SECRET_KEY"
attach() { # policy user; `attach` fails when the policy is already attached: that is success here
  if ! out=$(mc admin policy attach local "$1" --user "$2" 2>&1); then
    case "$out" in
      *already*) ;;
      *) echo "$out" >&2; return 1 ;;
    esac
  fi
}
attach cloud-images-service "$SERVICE_ACCESS_KEY"

# 2. demo tenant: its own user, its own buckets (DEMO_TENANT_BUCKET_PREFIX*), nothing else.
TENANT_POLICY="tenant-${DEMO_TENANT_ACCESS_KEY}"
cat >"$WORK/tenant-policy.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:*"],
      "Resource": [
        "arn:aws:s3:::${DEMO_TENANT_BUCKET_PREFIX}*",
        "arn:aws:s3:::${DEMO_TENANT_BUCKET_PREFIX}*/*"
      ]
    }
  ]
}
JSON
mc admin policy create local "$TENANT_POLICY" "$WORK/tenant-policy.json"
mc admin user add local "$DEMO_TENANT_ACCESS_KEY" "$DEMO_TENANT_SECRET_KEY"
attach "$TENANT_POLICY" "$DEMO_TENANT_ACCESS_KEY"
mc mb --ignore-existing "local/$DEMO_TENANT_CONTAINER"

echo "MinIO ready: image store s3://$IMAGE_STORE_BUCKET (user $SERVICE_ACCESS_KEY);" \
  "demo tenant $DEMO_TENANT_ACCESS_KEY with container s3://$DEMO_TENANT_CONTAINER (policy $TENANT_POLICY)"

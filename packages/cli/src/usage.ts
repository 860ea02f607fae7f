export const USAGE: Record<string, string> = {
  '': `cloud-images: import and export VHD disk images (Rackspace Cloud Images v2 / Glance v2 tasks)

Usage: cloud-images COMMAND [OPTIONS]

Commands:
  import FILE --name NAME [--container C]   validate FILE locally, upload it, import it, follow the task
  export IMAGE --container C [--download FILE]
                                            export an image to a container (and download it)
  tasks [--status S]                        list your tasks
  watch TASK                                follow a task until it ends
  images                                    list your images
  image IMAGE                               show one image
  share IMAGE TENANT                        share an image with another tenant (it accepts with its own token)

Options (every command):
  --api-url URL            API endpoint                     env CLOUD_IMAGES_API_URL
  --token-file PATH|-      read the API token from a file    env CLOUD_IMAGES_TOKEN
                           or stdin (never on the command line)
  --json                   machine output (JSON on stdout)
  -h, --help               this help

Object storage (import, export --download):
  --s3-endpoint URL        env CLOUD_IMAGES_S3_ENDPOINT
  --s3-access-key KEY      env CLOUD_IMAGES_S3_ACCESS_KEY
  --s3-secret-key-file PATH|-                               env CLOUD_IMAGES_S3_SECRET_KEY
  --s3-region REGION       env CLOUD_IMAGES_S3_REGION (default us-east-1)
  --bucket-prefix PREFIX   your containers' bucket prefix   env CLOUD_IMAGES_BUCKET_PREFIX

Progress bars are drawn only when stdout is a terminal. Ctrl-C during an upload aborts it and leaves no partial
upload behind. Exit status: 0 success, 1 failure, 64 bad usage, 130 interrupted.
Run 'cloud-images COMMAND --help' for a command's own options.`,
  import: `Usage: cloud-images import FILE --name NAME [--container C] [--json]

Validates FILE's VHD footer, header and BAT locally (a bad disk fails with its Rackspace code, e.g. '396: ...',
before any byte is uploaded), uploads it to container C (default cloud-images-uploads, created if missing) with a
multipart upload, creates the import task and follows it. Prints the image id; with --json, the final task.`,
  export: `Usage: cloud-images export IMAGE --container C [--download FILE] [--json]

Creates an export task of IMAGE into container C and follows it. With --download, then downloads the exported
VHD to FILE. Prints the exported object's location; with --json, the final task.`,
  tasks: `Usage: cloud-images tasks [--status pending|processing|success|failure] [--json]

Lists your tasks, newest first.`,
  watch: `Usage: cloud-images watch TASK [--json]

Follows TASK until it succeeds or fails (exit 1 on failure). With --json, prints the final task.`,
  images: `Usage: cloud-images images [--json]

Lists your images.`,
  image: `Usage: cloud-images image IMAGE [--json]

Shows one image.`,
  share: `Usage: cloud-images share IMAGE TENANT [--json]

Shares IMAGE (yours, visibility shared) with the tenant TENANT, as Glance's image members do. The member sees it
with status pending until it accepts it (GET /v2/images?member_status=pending).`,
};

export function usageFor(command = ''): string {
  return USAGE[command] ?? USAGE['']!;
}

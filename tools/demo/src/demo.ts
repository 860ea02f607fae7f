#!/usr/bin/env node
import {
  bucketForContainer,
  createObjectStoreFactory,
  defaultObjectStoreTimeouts,
  loadConfigOrExit,
} from '@cloud-images/shared';
import { demoConfigSchema } from './config.js';
import { sampleDynamicVhd } from './sample-disk.js';
import { TaskClient, type TaskView } from './task-client.js';

/**
 * The README's walk-through as a program: upload a VHD to the demo tenant's container, import it, export the
 * image again, and print every task as the API returns it. Exits non-zero if either task does not succeed.
 */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`usage: demo.js   (run by scripts/run.sh)
Uploads a sample VHD to the demo tenant's container, imports it, exports the image, and prints every task.
Environment: API_URL, API_TOKEN, DEMO_S3_ENDPOINT, DEMO_S3_REGION, DEMO_TENANT_S3_ACCESS_KEY,
DEMO_TENANT_S3_SECRET_KEY, DEMO_BUCKET_PREFIX, DEMO_CONTAINER, DEMO_EXPORT_CONTAINER, DEMO_TIMEOUT_SECONDS.
`);
  process.exit(0);
}
const config = loadConfigOrExit(demoConfigSchema, process.env);
const s3 = createObjectStoreFactory(defaultObjectStoreTimeouts)({
  endpoint: config.DEMO_S3_ENDPOINT,
  region: config.DEMO_S3_REGION,
  accessKey: config.DEMO_TENANT_S3_ACCESS_KEY,
  secretKey: config.DEMO_TENANT_S3_SECRET_KEY,
});
const tasks = new TaskClient(config.API_URL, config.API_TOKEN);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function ensureContainer(container: string): Promise<string> {
  const bucket = bucketForContainer(config.DEMO_BUCKET_PREFIX, container);
  if (!(await s3.bucketExists(bucket))) await s3.makeBucket(bucket, config.DEMO_S3_REGION);
  return bucket;
}

async function runTask(title: string, body: unknown): Promise<TaskView> {
  say(`\n── ${title}: POST /v2/tasks ${JSON.stringify(body)}`);
  const created = await tasks.create(body);
  let last = '';
  const done = await tasks.waitUntilDone(created.id, config.DEMO_TIMEOUT_SECONDS * 1000, (task) => {
    const progress = task.progress as { stage?: string; percent?: number } | null | undefined;
    const line = `   ${task.status}${progress?.stage ? ` (${progress.stage} ${progress.percent ?? '?'}%)` : ''}`;
    if (line !== last) say(line);
    last = line;
  });
  say(JSON.stringify(done, null, 2));
  if (done.status !== 'success') throw new Error(`${title} failed: ${done.message}`);
  return done;
}

const sourceBucket = await ensureContainer(config.DEMO_CONTAINER);
await ensureContainer(config.DEMO_EXPORT_CONTAINER);
const disk = sampleDynamicVhd();
const objectName = `demo-${Date.now()}.vhd`;
await s3.uploadMultipart({
  bucket: sourceBucket,
  key: objectName,
  source: disk.stream,
  partSize: 16 * 1024 * 1024,
});
say(
  `uploaded ${config.DEMO_CONTAINER}/${objectName}: a ${disk.size}-byte dynamic VHD of a ${disk.virtualSize / 2 ** 20} MiB disk`,
);

const imported = await runTask('import', {
  type: 'import',
  input: { import_from: `${config.DEMO_CONTAINER}/${objectName}`, image_properties: { name: 'demo image' } },
});
const imageId = imported.result?.image_id as string;
const exported = await runTask('export', {
  type: 'export',
  input: { image_uuid: imageId, receiving_swift_container: config.DEMO_EXPORT_CONTAINER },
});
const location = exported.result?.export_location as string;
const stat = await s3.stat(
  bucketForContainer(config.DEMO_BUCKET_PREFIX, config.DEMO_EXPORT_CONTAINER),
  `${imageId}.vhd`,
);
say(`\nexported object ${location}: ${stat.size} bytes`);
say(`
Next:
  curl -s ${config.API_URL}/v2/tasks -H "X-Auth-Token: $API_TOKEN"
  curl -s ${config.API_URL}/v2/images/${imageId} -H "X-Auth-Token: $API_TOKEN"
  glance --os-image-url ${config.API_URL} --os-auth-token "$API_TOKEN" task-list
  glance --os-image-url ${config.API_URL} --os-auth-token "$API_TOKEN" image-show ${imageId}`);

#!/usr/bin/env node
import { createDatabase, loadConfigOrExit, SecretBox, tenantSecretKeys } from '@cloud-images/shared';
import { type AdminInvocation, parseAdminArguments, UsageError } from './admin-arguments.js';
import { AdminError, createTenant, listTenants } from './admin-commands.js';
import { adminCliConfigSchema } from './admin-config.js';
import { adminUsage } from './admin-usage.js';
import { listAuditEvents, recordAuditEvent, resolveActor } from './audit-trail.js';
import { readSecret } from './secret-input.js';
import { resealSecrets } from './secrets-reseal.js';
import { showTenant } from './tenant-limit-commands.js';
import { runTenantUpdate } from './tenant-update-command.js';
import { executeTokenCommand, isTokenCommand } from './token-cli.js';

type CommandInvocation = Extract<AdminInvocation, { kind: 'command' }>;

async function execute(invocation: CommandInvocation): Promise<unknown> {
  const { name, flags, operand } = invocation;
  // Required flags are guaranteed by parseAdminArguments; `?? ''` only satisfies the type checker.
  const flag = (key: string) => flags[key] ?? '';
  // Configuration is read only now, so --help and usage errors work without DATABASE_URL.
  const config = loadConfigOrExit(adminCliConfigSchema, process.env);
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolMax: 1,
    applicationName: 'cloud-images-admin',
  });
  const actor = resolveActor(flags.actor);
  const box = new SecretBox(tenantSecretKeys(config));
  try {
    if (isTokenCommand(invocation)) {
      const context = { actor, defaultTtl: config.TOKEN_DEFAULT_TTL };
      return await database.db.transaction((db) => executeTokenCommand(db, invocation, context));
    }
    // Reseal commits batch by batch (resumable), so it runs outside the one-transaction path below.
    if (name === 'secrets reseal') {
      const report = await resealSecrets(database.db, box, actor);
      if (report.failed.length > 0) process.exitCode = 1;
      return report;
    }
    // Each mutation and its audit event commit together: no change without its record, no record of a
    // change that rolled back.
    return await database.db.transaction(async (db) => {
      switch (name) {
        case 'tenant create': {
          const s3SecretKey = readSecret({
            file: flags['s3-secret-key-file'],
            env: config.TENANT_S3_SECRET_KEY,
          });
          if (s3SecretKey === undefined) {
            throw new UsageError(
              'the S3 secret key is required: --s3-secret-key-file PATH, --s3-secret-key-file - (stdin), or TENANT_S3_SECRET_KEY',
              name,
            );
          }
          const tenant = await createTenant(
            db,
            box,
            {
              name: flag('name'),
              s3AccessKey: flag('s3-access-key'),
              s3SecretKey,
              ...(flags['s3-endpoint'] ? { s3Endpoint: flags['s3-endpoint'] } : {}),
              ...(flags['bucket-prefix'] ? { bucketPrefix: flags['bucket-prefix'] } : {}),
              ...(flags.id ? { id: flags.id } : {}),
            },
            config.IMAGE_STORE_BUCKET,
          );
          await recordAuditEvent(db, {
            actor,
            action: 'tenant.create',
            target: tenant.id,
            tenantId: tenant.id,
            changedFields: ['name', 's3_access_key', 's3_secret_key', 's3_endpoint', 'bucket_prefix'],
          });
          return tenant;
        }
        case 'tenant list':
          return { tenants: await listTenants(db) };
        case 'tenant show':
          return await showTenant(db, operand ?? '', config);
        case 'tenant update': {
          const { result, audit } = await runTenantUpdate(db, box, config, operand ?? '', flags);
          await recordAuditEvent(db, { actor, ...audit });
          return result;
        }
        case 'audit list':
          return {
            events: await listAuditEvents(db, {
              ...(flags.since ? { since: flags.since } : {}),
              ...(flags.tenant ? { tenantId: flags.tenant } : {}),
            }),
          };
      }
    });
  } finally {
    await database.close();
  }
}

try {
  const invocation = parseAdminArguments(process.argv.slice(2));
  if (invocation.kind === 'help') {
    process.stdout.write(`${adminUsage(invocation.topic)}\n`);
  } else {
    const result = await execute(invocation);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
} catch (error) {
  process.stderr.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
  if (error instanceof UsageError) process.stderr.write(`${adminUsage(error.usageFor)}\n`);
  process.exitCode = error instanceof UsageError ? 64 : error instanceof AdminError ? 1 : 70;
}

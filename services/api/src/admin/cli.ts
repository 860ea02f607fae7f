#!/usr/bin/env node
import { createDatabase, decodeKey, loadConfigOrExit, SecretBox } from '@cloud-images/shared';
import { type AdminInvocation, parseAdminArguments, UsageError } from './admin-arguments.js';
import { AdminError, createTenant, listTenants } from './admin-commands.js';
import { adminCliConfigSchema } from './admin-config.js';
import { adminUsage } from './admin-usage.js';
import { listAuditEvents, recordAuditEvent, resolveActor } from './audit-trail.js';
import { changedLimitColumns, parseLimit, showTenant, updateTenantLimits } from './tenant-limit-commands.js';
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
  try {
    if (isTokenCommand(invocation)) {
      const context = { actor, defaultTtl: config.TOKEN_DEFAULT_TTL };
      return await database.db.transaction((db) => executeTokenCommand(db, invocation, context));
    }
    // Each mutation and its audit event commit together: no change without its record, no record of a
    // change that rolled back.
    return await database.db.transaction(async (db) => {
      switch (name) {
        case 'tenant create': {
          const tenant = await createTenant(
            db,
            new SecretBox(decodeKey(config.TENANT_SECRET_KEY)!),
            {
              name: flag('name'),
              s3AccessKey: flag('s3-access-key'),
              s3SecretKey: flag('s3-secret-key'),
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
          const update = {
            maxActiveTasks: parseLimit('max-active', flags['max-active']),
            maxPendingTasks: parseLimit('max-pending', flags['max-pending']),
            maxImages: parseLimit('max-images', flags['max-images']),
            maxImageBytes: parseLimit('max-image-bytes', flags['max-image-bytes']),
          };
          const tenant = await updateTenantLimits(db, operand ?? '', update, config);
          await recordAuditEvent(db, {
            actor,
            action: 'tenant.update',
            target: tenant.id,
            tenantId: tenant.id,
            changedFields: changedLimitColumns(update),
          });
          return tenant;
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

#!/usr/bin/env node
import {
  createDatabase,
  decodeKey,
  loadConfigOrExit,
  SecretBox,
  type TokenRole,
  tokenRole,
} from '@cloud-images/shared';
import { type AdminInvocation, parseAdminArguments, UsageError } from './admin-arguments.js';
import { AdminError, createTenant, createToken, listTenants, revokeToken } from './admin-commands.js';
import { adminCliConfigSchema } from './admin-config.js';
import { adminUsage } from './admin-usage.js';
import { parseLimit, showTenant, updateTenantLimits } from './tenant-limit-commands.js';

type CommandInvocation = Extract<AdminInvocation, { kind: 'command' }>;

async function execute({ name, flags, operand }: CommandInvocation): Promise<unknown> {
  // Required flags are guaranteed by parseAdminArguments; `?? ''` only satisfies the type checker.
  const flag = (key: string) => flags[key] ?? '';
  // Configuration is read only now, so --help and usage errors work without DATABASE_URL.
  const config = loadConfigOrExit(adminCliConfigSchema, process.env);
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolMax: 1,
    applicationName: 'cloud-images-admin',
  });
  try {
    switch (name) {
      case 'tenant create':
        return await createTenant(
          database.db,
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
      case 'tenant list':
        return { tenants: await listTenants(database.db) };
      case 'tenant show':
        return await showTenant(database.db, operand ?? '', config);
      case 'tenant update':
        return await updateTenantLimits(
          database.db,
          operand ?? '',
          {
            maxActiveTasks: parseLimit('max-active', flags['max-active']),
            maxPendingTasks: parseLimit('max-pending', flags['max-pending']),
            maxImages: parseLimit('max-images', flags['max-images']),
            maxImageBytes: parseLimit('max-image-bytes', flags['max-image-bytes']),
          },
          config,
        );
      case 'token create': {
        const role = flag('role');
        if (!(tokenRole.enumValues as readonly string[]).includes(role)) {
          throw new UsageError(`--role must be one of ${tokenRole.enumValues.join(', ')}`, name);
        }
        return await createToken(database.db, {
          tenantId: flag('tenant'),
          role: role as TokenRole,
          ...(flags.description ? { description: flags.description } : {}),
        });
      }
      case 'token revoke':
        return await revokeToken(database.db, operand ?? '');
    }
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

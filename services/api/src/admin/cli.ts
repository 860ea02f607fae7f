#!/usr/bin/env node
import { parseArgs } from 'node:util';
import {
  createDatabase,
  decodeKey,
  loadConfigOrExit,
  SecretBox,
  type TokenRole,
  tokenRole,
} from '@cloud-images/shared';
import { adminCliConfigSchema } from '../config.js';
import { AdminError, createTenant, createToken, listTenants, revokeToken } from './admin-commands.js';

const USAGE = `usage (JSON on stdout; needs DATABASE_URL and TENANT_SECRET_KEY):
  cloud-images-admin tenant create --name NAME --s3-access-key KEY --s3-secret-key SECRET
                                   [--s3-endpoint URL] [--bucket-prefix PREFIX] [--id OWNER_ID]
  cloud-images-admin tenant list
  cloud-images-admin token create --tenant TENANT_ID --role admin|creator|observer [--description TEXT]
  cloud-images-admin token revoke TOKEN_ID_OR_TOKEN`;

const options = {
  name: { type: 'string' },
  's3-access-key': { type: 'string' },
  's3-secret-key': { type: 'string' },
  's3-endpoint': { type: 'string' },
  'bucket-prefix': { type: 'string' },
  id: { type: 'string' },
  tenant: { type: 'string' },
  role: { type: 'string' },
  description: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function run(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [resource, action, ...rest] = positionals;
  if (values.help || !resource) throw new UsageError('');
  const config = loadConfigOrExit(adminCliConfigSchema, process.env);
  const database = createDatabase({
    url: config.DATABASE_URL,
    poolMax: 1,
    applicationName: 'cloud-images-admin',
  });
  try {
    const command = `${resource} ${action ?? ''}`.trim();
    switch (command) {
      case 'tenant create':
        return await createTenant(database.db, new SecretBox(decodeKey(config.TENANT_SECRET_KEY)!), {
          name: required(values, 'name'),
          s3AccessKey: required(values, 's3-access-key'),
          s3SecretKey: required(values, 's3-secret-key'),
          ...(values['s3-endpoint'] ? { s3Endpoint: values['s3-endpoint'] } : {}),
          ...(values['bucket-prefix'] ? { bucketPrefix: values['bucket-prefix'] } : {}),
          ...(values.id ? { id: values.id } : {}),
        });
      case 'tenant list':
        return { tenants: await listTenants(database.db) };
      case 'token create': {
        const role = required(values, 'role');
        if (!(tokenRole.enumValues as readonly string[]).includes(role)) {
          throw new UsageError(`--role must be one of ${tokenRole.enumValues.join(', ')}`);
        }
        return await createToken(database.db, {
          tenantId: required(values, 'tenant'),
          role: role as TokenRole,
          ...(values.description ? { description: values.description } : {}),
        });
      }
      case 'token revoke': {
        const target = rest[0] ?? values.id;
        if (!target) throw new UsageError('token revoke needs a token id (or the token)');
        return await revokeToken(database.db, target);
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } finally {
    await database.close();
  }
}

try {
  const result = await run(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} catch (error) {
  const usage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  const message = (error as Error).message;
  process.stderr.write(`${JSON.stringify({ error: message || 'usage' })}\n`);
  if (usage) process.stderr.write(`${USAGE}\n`);
  process.exitCode = usage ? 64 : error instanceof AdminError ? 1 : 70;
}

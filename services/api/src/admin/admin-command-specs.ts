import { tokenCommandSpecs } from './token-command-specs.js';

/**
 * What each admin command accepts. The argument parser and the usage text are both derived from this table,
 * so a flag cannot be accepted without being documented, or documented without being accepted.
 */
export interface FlagSpec {
  /** Placeholder shown in the usage, e.g. NAME; '' for a switch (`boolean`). */
  value: string;
  /** A switch that takes no value (e.g. --no-verify); parsed flags hold 'true' when it is given. */
  boolean?: boolean;
  required: boolean;
  describe: string;
}

export interface CommandSpec {
  summary: string;
  flags: Record<string, FlagSpec>;
  /** A positional argument after the command words, if it takes one (always required). */
  operand?: { value: string; describe: string };
}

/** Where a tenant's S3 secret comes from: never argv (secret-input.ts refuses --s3-secret-key VALUE). */
const secretFileFlag = {
  value: 'PATH|-',
  required: false,
  describe: 'file holding the S3 secret key, - for stdin; default env TENANT_S3_SECRET_KEY',
} as const;

/** Every mutating command takes --actor: who the audit trail names (default: the OS user). */
const actorFlag = {
  actor: { value: 'NAME', required: false, describe: 'who the audit trail records; default the OS user' },
} as const;

export const adminCommands = {
  'tenant create': {
    summary: 'register a tenant; its S3 secret is sealed with the current master key',
    flags: {
      name: { value: 'NAME', required: true, describe: 'unique tenant name' },
      's3-access-key': { value: 'KEY', required: true, describe: "the tenant's S3 access key" },
      's3-secret-key-file': secretFileFlag,
      's3-endpoint': {
        value: 'URL',
        required: false,
        describe: "the tenant's S3 (http/https); default the service's",
      },
      'bucket-prefix': {
        value: 'PREFIX',
        required: false,
        describe: 'buckets the tenant may use start with it; default none',
      },
      id: {
        value: 'OWNER_ID',
        required: false,
        describe: 'owner id clients see; default a random 8-digit id',
      },
      ...actorFlag,
    },
  },
  'tenant list': { summary: 'list tenants (no secrets)', flags: {} },
  'tenant show': {
    summary: "a tenant's limits (own or default) and current usage",
    flags: {},
    operand: { value: 'TENANT_ID', describe: 'the tenant' },
  },
  'tenant update': {
    summary: "set a tenant's limits or S3 credentials (checked by a signed ListBuckets)",
    flags: {
      's3-access-key': {
        value: 'KEY',
        required: false,
        describe: 'new S3 access key; its secret from --s3-secret-key-file or TENANT_S3_SECRET_KEY',
      },
      's3-secret-key-file': {
        ...secretFileFlag,
        describe: 'file holding the new S3 secret key, - for stdin',
      },
      's3-endpoint': { value: 'URL', required: false, describe: "the tenant's S3 (http/https)" },
      'no-verify': {
        value: '',
        boolean: true,
        required: false,
        describe: 'store the credentials even if S3 rejects them or cannot be reached',
      },
      'max-active': { value: 'N', required: false, describe: 'tasks handed to the workers at once' },
      'max-pending': { value: 'N', required: false, describe: 'tasks pending or processing (413 past it)' },
      'max-images': { value: 'N', required: false, describe: 'images held, imports in flight included' },
      'max-image-bytes': { value: 'N', required: false, describe: 'total bytes of images, imports included' },
      ...actorFlag,
    },
    operand: { value: 'TENANT_ID', describe: 'the tenant' },
  },
  ...tokenCommandSpecs,
  'secrets reseal': {
    summary: 're-seal tenant secrets with the current master key (idempotent, resumable)',
    flags: { ...actorFlag },
  },
  'audit list': {
    summary: 'admin mutations, oldest first (names of changed fields, never values)',
    flags: {
      since: { value: 'TIME', required: false, describe: 'only events at or after this ISO 8601 time' },
      tenant: { value: 'TENANT_ID', required: false, describe: 'only events about this tenant' },
    },
  },
} as const satisfies Record<string, CommandSpec>;

export type AdminCommandName = keyof typeof adminCommands;

export function isAdminCommand(name: string): name is AdminCommandName {
  return Object.hasOwn(adminCommands, name);
}

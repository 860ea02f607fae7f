import type { CommandSpec } from './admin-command-specs.js';

/** Every token mutation takes --actor, as all admin mutations do: who the audit trail names. */
const actorFlag = {
  actor: { value: 'NAME', required: false, describe: 'who the audit trail records; default the OS user' },
} as const;

const expiresInFlag = {
  'expires-in': {
    value: 'DURATION',
    required: false,
    describe: 'lifetime, e.g. 90d, 12h, 30m, 2s, or never; default TOKEN_DEFAULT_TTL (90d)',
  },
} as const;

/** The `token …` commands, spread into the admin CLI's command table (admin-command-specs.ts). */
export const tokenCommandSpecs = {
  'token create': {
    summary: 'issue an API token: printed this once, only its hash is stored',
    flags: {
      tenant: { value: 'TENANT_ID', required: true, describe: 'the tenant the token acts for' },
      role: { value: 'admin|creator|observer', required: true, describe: "the token's role" },
      description: { value: 'TEXT', required: false, describe: 'free text kept with the token' },
      ...expiresInFlag,
      ...actorFlag,
    },
  },
  'token list': {
    summary: 'tokens with their status and last use (never the token or its hash)',
    flags: { tenant: { value: 'TENANT_ID', required: false, describe: "only this tenant's tokens" } },
  },
  'token rotate': {
    summary: 'issue a replacement (same tenant, role, description); the old token ends after the grace',
    flags: {
      grace: {
        value: 'DURATION',
        required: false,
        describe: 'how long the old token keeps working, e.g. 1h, 2s; default 1h',
      },
      ...expiresInFlag,
      ...actorFlag,
    },
    operand: { value: 'TOKEN_ID|-', describe: "the token's id, or - to read the token itself from stdin" },
  },
  'token revoke': {
    summary: 'revoke an API token (the API refuses it within TOKEN_CACHE_TTL_MS)',
    flags: { ...actorFlag },
    operand: { value: 'TOKEN_ID|-', describe: "the token's id, or - to read the token itself from stdin" },
  },
} as const satisfies Record<string, CommandSpec>;

import { readFileSync } from 'node:fs';
import { type DbExecutor, isUuid, type TokenRole, tokenRole } from '@cloud-images/shared';
import { type AdminInvocation, UsageError } from './admin-arguments.js';
import { recordAuditEvent } from './audit-trail.js';
import { createToken, listTokens, revokeToken, rotateToken } from './token-commands.js';
import { durationProblem, parseLifetime } from './token-duration.js';

type TokenCommand = Extract<AdminInvocation, { kind: 'command' }> & { name: `token ${string}` };

export function isTokenCommand(
  invocation: Extract<AdminInvocation, { kind: 'command' }>,
): invocation is TokenCommand {
  return invocation.name.startsWith('token ');
}

/**
 * The token a revoke or rotate names: its id, or `-` to read the token itself from stdin. A token on argv would
 * show in ps and shell history, so it is refused with exit 64, like every other secret of this CLI.
 */
export function tokenOperand(
  command: string,
  operand: string,
  readStdin: () => string = () => readFileSync(0, 'utf8'),
): string {
  if (operand === '-') {
    const token = readStdin().trim();
    if (token === '') throw new UsageError('stdin is empty: expected the token', command);
    return token;
  }
  if (isUuid(operand)) return operand;
  throw new UsageError(
    "give the token's id (token list shows it), or - and the token on stdin: a token on the command line would show in ps and shell history",
    command,
  );
}

/** A DURATION flag (or the default), refused with exit 64 when it is not one. */
function durationFlag(command: string, flag: string, text: string, allowNever: boolean) {
  const problem = durationProblem(text, { allowNever });
  if (problem) throw new UsageError(`--${flag}: ${problem}`, command);
  return parseLifetime(text);
}

/**
 * Runs a `token …` command inside the CLI's transaction. Each mutation writes its audit event with the same
 * executor, naming the token by id: the token itself never reaches the trail.
 */
export async function executeTokenCommand(
  db: DbExecutor,
  { name, flags, operand = '' }: TokenCommand,
  context: { actor: string; defaultTtl: string },
): Promise<unknown> {
  const lifetime = () => durationFlag(name, 'expires-in', flags['expires-in'] ?? context.defaultTtl, true);
  switch (name) {
    case 'token create': {
      const role = flags.role ?? '';
      if (!(tokenRole.enumValues as readonly string[]).includes(role)) {
        throw new UsageError(`--role must be one of ${tokenRole.enumValues.join(', ')}`, name);
      }
      const token = await createToken(db, {
        tenantId: flags.tenant ?? '',
        role: role as TokenRole,
        description: flags.description ?? null,
        lifetime: lifetime(),
      });
      await recordAuditEvent(db, {
        actor: context.actor,
        action: 'token.create',
        target: token.id,
        tenantId: token.tenant_id,
        changedFields: ['role', 'expires_at', ...(flags.description ? ['description'] : [])],
      });
      return token;
    }
    case 'token list':
      return { tokens: await listTokens(db, flags.tenant ? { tenantId: flags.tenant } : {}) };
    case 'token rotate': {
      const grace = durationFlag(name, 'grace', flags.grace ?? '1h', false) ?? 0;
      const rotated = await rotateToken(db, tokenOperand(name, operand), { grace, lifetime: lifetime() });
      await recordAuditEvent(db, {
        actor: context.actor,
        action: 'token.rotate',
        target: rotated.replaces.id,
        tenantId: rotated.tenant_id,
        changedFields: ['expires_at'],
      });
      await recordAuditEvent(db, {
        actor: context.actor,
        action: 'token.create',
        target: rotated.id,
        tenantId: rotated.tenant_id,
        changedFields: ['role', 'expires_at', 'rotated_from'],
      });
      return rotated;
    }
    case 'token revoke': {
      const token = await revokeToken(db, tokenOperand(name, operand));
      await recordAuditEvent(db, {
        actor: context.actor,
        action: 'token.revoke',
        target: token.id,
        tenantId: token.tenant_id,
        changedFields: ['revoked_at'],
      });
      return token;
    }
    default:
      throw new UsageError(`unknown command '${name}'`);
  }
}

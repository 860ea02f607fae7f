import type { CommandContext } from '../context.js';

/** Shares IMAGE with TENANT (Glance image members): the member then accepts or rejects it with its own token. */
export async function shareCommand(ctx: CommandContext): Promise<void> {
  const [imageId, tenantId] = ctx.operands as [string, string];
  const member = await (await ctx.api()).share(imageId, tenantId);
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(member, null, 2)}\n`);
  else ctx.stdout.write(`shared ${member.image_id} with ${member.member_id}: ${member.status}\n`);
}

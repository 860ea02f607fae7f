import { z } from 'zod';
import { durationProblem } from './token-duration.js';

/**
 * The admin CLI's token settings. 90 days by default: a leaked token stops working by itself within a quarter,
 * and an operator rotates well before then. `never` is allowed for tokens that must not end (state it explicitly).
 */
export const tokenLifetimeConfig = z.object({
  TOKEN_DEFAULT_TTL: z
    .string()
    .default('90d')
    .superRefine((value, ctx) => {
      const problem = durationProblem(value, { allowNever: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

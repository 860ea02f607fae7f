import type { z } from 'zod';

/** Thrown when the environment does not satisfy a service's config schema. Names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses the environment once, at start-up, against a service's zod schema.
 * Empty strings count as unset, so `FOO=` in an env file falls back to the default instead of failing oddly.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      variable: issue.path.length > 0 ? issue.path.join('.') : '(environment)',
      problem:
        issue.code === 'invalid_type' && cleaned[String(issue.path[0])] === undefined
          ? 'is required but not set'
          : issue.message,
    })),
  );
}

/**
 * Entry points call this: on a bad config the process stops with exit code 78 (EX_CONFIG)
 * and a message naming each variable, instead of failing later in some unrelated place.
 */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

import './vitest-context.js';
import { basename } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { stackInfoFromEnv } from './env.js';
import { databaseUrl, quoteIdent } from './helpers.js';
import { type RunningStack, startStack } from './stack.js';
import type { StackInfo } from './types.js';

export interface GlobalSetupOptions {
  /** Brings the template database to the wanted schema, e.g. runs the migrations. Close your connections. */
  prepareTemplate?: (databaseUrl: string) => Promise<void>;
  /**
   * Template database name. Default `template_test_<project>` (from the vitest project name or root folder),
   * so consumers sharing one stack (the `run` CLI) never race on or reuse each other's template.
   */
  templateName?: string;
}

export type GlobalSetup = (project: TestProject) => Promise<() => Promise<void>>;

/**
 * A vitest `globalSetup` function: reuses the stack in `CLOUD_IMAGES_STACK` (set by `pnpm stack run`) or starts one,
 * (re)creates the template database, then provides `stack` and `templateDatabase` to the test files.
 *
 * ```ts
 * // tests/global-setup.ts
 * import { createGlobalSetup } from '@cloud-images/test-stack/global-setup';
 * export default createGlobalSetup({ prepareTemplate: (url) => migrate(url) });
 * ```
 */
export function createGlobalSetup(options: GlobalSetupOptions = {}): GlobalSetup {
  return async (project) => {
    const reused = stackInfoFromEnv();
    let stack: RunningStack | undefined;
    let info: StackInfo;
    if (reused) {
      console.log(`[test-stack] reusing the ${reused.mode} stack from CLOUD_IMAGES_STACK`);
      info = reused;
    } else {
      stack = await startStack();
      info = stack.info;
    }
    const templateName =
      options.templateName ?? templateNameFor(project.name || basename(project.config.root));
    try {
      await createTemplate(info, templateName, options.prepareTemplate);
    } catch (err) {
      await stack?.stop();
      throw err;
    }
    project.provide('stack', info);
    project.provide('templateDatabase', templateName);
    return async () => {
      if (stack) await stack.stop();
      else await dropTemplate(info, templateName).catch(() => {});
    };
  };
}

export function templateNameFor(consumer: string): string {
  const slug = consumer
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return slug ? `template_test_${slug}` : 'template_test';
}

async function dropTemplate(info: StackInfo, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: info.postgres.adminUrl });
  await admin.connect();
  try {
    await dropWithClient(admin, name);
  } finally {
    await admin.end().catch(() => {});
  }
}

async function dropWithClient(admin: pg.Client, name: string): Promise<void> {
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) return;
  await admin.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`);
  await admin.query(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
}

/**
 * Creates the template fresh under a Postgres advisory lock (two vitest processes on one stack cannot race),
 * prepares it, disconnects leftover sessions and marks it as a template that accepts no connections.
 */
export async function createTemplate(
  info: StackInfo,
  name: string,
  prepare?: (databaseUrl: string) => Promise<void>,
): Promise<void> {
  const admin = new pg.Client({ connectionString: info.postgres.adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [`cloud-images-template:${name}`]);
    await dropWithClient(admin, name);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    if (prepare) await prepare(databaseUrl(info, name));
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await admin.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } finally {
    await admin.end().catch(() => {}); // ending the session releases the advisory lock
  }
}

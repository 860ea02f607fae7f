import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStack, s3ClientFor, startStack } from '../src/index.js';

// A stack of its own: this file restarts its Postgres and S3 endpoint, which the shared one must never see.
let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack({ mode: 'native', tenants: 1, log: () => {} });
}, 120_000);
afterAll(() => stack?.stop());

describe('RunningStack.restart (native)', () => {
  it('restarts Postgres in place: same port, data kept, answering again when it resolves', async () => {
    const url = stack.info.postgres.adminUrl;
    const before = new pg.Client({ connectionString: url });
    await before.connect();
    await before.query('create table kept (n int); insert into kept values (7)');
    const pidBefore = (await before.query('select pg_backend_pid() as pid')).rows[0].pid;
    before.on('error', () => {});
    await stack.restart!('postgres');
    // The old session died with the server; a new one sees the data.
    await expect(before.query('select 1')).rejects.toThrow();
    const after = new pg.Client({ connectionString: url });
    await after.connect();
    try {
      expect((await after.query('select n from kept')).rows).toEqual([{ n: 7 }]);
      expect((await after.query('select pg_backend_pid() as pid')).rows[0].pid).not.toBe(pidBefore);
    } finally {
      await after.end();
      await before.end().catch(() => {});
    }
  });

  it('restarts the S3 endpoint in place: objects kept, S3 answering when it resolves', async () => {
    const s3 = s3ClientFor(stack.info, stack.info.s3.service);
    await s3.makeBucket('restart-kept', stack.info.s3.region);
    await s3.putObject('restart-kept', 'o', Buffer.from('hello'));
    await stack.restart!('s3');
    const body = await s3.getObject('restart-kept', 'o');
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
  });
});

/**
 * The bare baseline of bench:api: Express 5 + pg on the same database as the API, with no auth,
 * logging, metrics or validation. GET /v2/tasks/:id runs the API's single indexed SELECT; POST
 * /v2/tasks runs one transaction writing a task row and an outbox row. Run by api-throughput.ts as
 * its own process, like the API. Its outbox rows are born published so the API's relay leaves them alone.
 * Env: DATABASE_URL, PORT, TENANT_ID (whose task GET reads), POST_TENANT_ID (whose tasks POST writes, so
 * they do not add to the pending tasks the API's admission counts for TENANT_ID), DATABASE_POOL_MAX.
 */
import express from 'express';
import pg from 'pg';

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_MAX ?? 10) });
const tenantId = env.TENANT_ID!;
const postTenantId = env.POST_TENANT_ID ?? tenantId;
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json());

app.get('/readyz', (_req, res) => void res.send('ok'));

app.get('/v2/tasks/:id', async (req, res) => {
  const { rows } = await pool.query(
    `select * from tasks where id = $1 and tenant_id = $2 and (expires_at is null or expires_at > now())`,
    [req.params.id, tenantId],
  );
  if (!rows[0]) res.status(404).json({ message: 'not found' });
  else res.json(rows[0]);
});

app.post('/v2/tasks', async (req, res) => {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(
      `insert into tasks (tenant_id, type, input, request_hash) values ($1, $2, $3, $4) returning *`,
      [postTenantId, req.body.type, req.body.input, 'baseline'],
    );
    await client.query(
      `insert into outbox (task_id, queue, payload, published_at) values ($1, $2, $3, now())`,
      [rows[0].id, 'image-import', { taskId: rows[0].id }],
    );
    await client.query('commit');
    res.status(201).json(rows[0]);
  } catch (error) {
    await client.query('rollback').catch(() => {});
    res.status(500).json({ message: String(error) });
  } finally {
    client.release();
  }
});

app.listen(Number(env.PORT), '127.0.0.1');

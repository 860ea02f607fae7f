import type { Logger } from '@cloud-images/shared';
import pg from 'pg';

/** Pause before re-listening after the connection dropped; each channel's own fallback covers the gap. */
const RECONNECT_DELAY_MS = 2_000;

/**
 * Called with a notification's payload, or with `undefined` once listening (again): whatever was notified while
 * the connection was down is lost, so a handler then catches up (the relay kicks, the token cache empties).
 */
export type NotificationHandler = (payload: string | undefined) => void;

/**
 * LISTENs on Postgres NOTIFY channels (sent in a transaction, delivered at its commit) on one connection:
 * - the dispatcher's outbox channel: a dispatch made by a WORKER right after its job ended reaches this API's
 *   relay at once, without Redis and without waiting for the relay's tick;
 * - the token-change channel: a token the admin CLI revoked or rotated leaves this API's token cache at once.
 * Reconnects forever; a lost notification only costs one relay interval, or one token-cache TTL.
 */
export class NotificationListener {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly handlers: Readonly<Record<string, NotificationHandler>>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'cloud-images-api-listen',
    });
    this.client = client;
    client.on('notification', ({ channel, payload }) => this.handlers[channel]?.(payload ?? ''));
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      for (const channel of Object.keys(this.handlers)) await client.query(`LISTEN ${channel}`);
      for (const handler of Object.values(this.handlers)) handler(undefined);
    } catch (error) {
      this.logger.debug({ err: error }, 'notification listener: cannot listen yet');
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.retry = setTimeout(() => void this.connect(), RECONNECT_DELAY_MS).unref();
  }
}

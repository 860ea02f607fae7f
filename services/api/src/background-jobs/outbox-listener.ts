import { type Logger, OUTBOX_NOTIFY_CHANNEL } from '@cloud-images/shared';
import pg from 'pg';

/** Pause before re-listening after the connection dropped; the relay's own timer covers the gap. */
const RECONNECT_DELAY_MS = 2_000;

/**
 * LISTENs on the dispatcher's NOTIFY channel (sent in the transaction that wrote outbox rows, delivered at its
 * commit) and calls `onNotify`. This is how a dispatch made by a WORKER right after its job ended reaches this
 * API's relay at once, without Redis and without waiting for the relay's tick. Reconnects forever; a lost
 * notification only costs one relay interval.
 */
export class OutboxListener {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly onNotify: () => void,
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
    client.on('notification', () => this.onNotify());
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
      this.onNotify(); // whatever was notified while we were away
    } catch (error) {
      this.logger.debug({ err: error }, 'outbox listener: cannot listen yet');
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

/** The few Glance v2 calls the harness makes, with plain fetch, as any client would. */
export interface CreatedTask {
  id: string;
  owner: string;
}

export class TaskApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'X-Auth-Token': this.token,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, text };
  }

  /**
   * POST /v2/tasks with an Idempotency-Key, retried on 5xx and network errors (the API may be restarting its
   * connections during chaos): a retry with the same key never makes a second task.
   */
  async createTask(
    type: 'import' | 'export',
    input: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<CreatedTask> {
    let last = '';
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        const { status, text } = await this.call(
          'POST',
          '/v2/tasks',
          { type, input },
          { 'Idempotency-Key': idempotencyKey },
        );
        if (status === 201 || status === 200) return JSON.parse(text) as CreatedTask;
        last = `${status} ${text.slice(0, 200)}`;
        if (status < 500) break;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`POST /v2/tasks failed: ${last}`);
  }

  /** GET /v2/tasks/{id}: the status code and how long it took (the API latency sample). */
  async timedGetTask(id: string): Promise<{ status: number; ms: number }> {
    const start = performance.now();
    const { status } = await this.call('GET', `/v2/tasks/${id}`);
    return { status, ms: performance.now() - start };
  }

  async getTask(id: string): Promise<{ status: string; result?: { image_id?: string } | null }> {
    const { status, text } = await this.call('GET', `/v2/tasks/${id}`);
    if (status !== 200) throw new Error(`GET /v2/tasks/${id} answered ${status}`);
    return JSON.parse(text);
  }

  /** DELETE /v2/images/{id}; a 404 (already gone) is fine. */
  async deleteImage(id: string): Promise<void> {
    const { status, text } = await this.call('DELETE', `/v2/images/${id}`);
    if (status !== 204 && status !== 404)
      throw new Error(`DELETE /v2/images/${id} answered ${status}: ${text}`);
  }
}

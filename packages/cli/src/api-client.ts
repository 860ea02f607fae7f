import type { TaskView } from '@cloud-images/shared';
import { CliError } from './errors.js';

export type { TaskView };

export type ImageView = { id: string; name?: string; status: string } & Record<string, unknown>;

const TERMINAL = new Set(['success', 'failure']);

/**
 * The Glance v2 task and image API over fetch. Every failure becomes one CliError line: an unreachable API, a
 * rejected token, a missing image, or the API's own `{"error": {message}}`.
 */
/** A Glance image member, as POST /v2/images/{id}/members answers it. */
export type MemberView = { image_id: string; member_id: string; status: string } & Record<string, unknown>;

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  createTask(type: 'import' | 'export', input: Record<string, unknown>): Promise<TaskView> {
    return this.request<TaskView>('POST', '/v2/tasks', { type, input });
  }

  task(id: string): Promise<TaskView> {
    return this.request<TaskView>('GET', `/v2/tasks/${encodeURIComponent(id)}`);
  }

  async tasks(status?: string): Promise<TaskView[]> {
    const query = status ? `?status=${encodeURIComponent(status)}` : '';
    return (await this.request<{ tasks: TaskView[] }>('GET', `/v2/tasks${query}`)).tasks;
  }

  async images(): Promise<ImageView[]> {
    return (await this.request<{ images: ImageView[] }>('GET', '/v2/images')).images;
  }

  image(id: string): Promise<ImageView> {
    return this.request<ImageView>('GET', `/v2/images/${encodeURIComponent(id)}`);
  }

  share(imageId: string, member: string): Promise<MemberView> {
    return this.request<MemberView>('POST', `/v2/images/${encodeURIComponent(imageId)}/members`, { member });
  }

  /** Polls the task until it ends, reporting each state seen (for the progress bar). */
  async follow(
    id: string,
    onUpdate: (task: TaskView) => void,
    signal: AbortSignal,
    intervalMs = 500,
  ): Promise<TaskView> {
    for (;;) {
      // Ctrl-C stops following only: the task itself goes on in the service.
      if (signal.aborted)
        throw new CliError(`interrupted: task ${id} goes on; follow it with 'cloud-images watch ${id}'`, 130);
      const task = await this.task(id);
      onUpdate(task);
      if (TERMINAL.has(task.status)) return task;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          'X-Auth-Token': this.token,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? String(error)}`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (response.ok) return json as T;
    const message =
      (json as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 200);
    if (response.status === 401) throw new CliError(`the API rejected the token (401): ${message}`);
    throw new CliError(`${method} ${path} failed (${response.status}): ${message}`);
  }
}

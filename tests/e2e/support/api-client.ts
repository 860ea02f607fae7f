/** The fields of a task as the API returns them (GET /v2/tasks/{id}). */
export interface Task {
  id: string;
  type: 'import' | 'export';
  status: 'pending' | 'processing' | 'success' | 'failure';
  input: Record<string, unknown>;
  result?: Record<string, unknown> | null;
  owner: string;
  message: string;
  created_at: string;
  updated_at: string;
  expires_at?: string;
  self: string;
  schema: string;
}

export interface Image {
  id: string;
  name: string | null;
  status: string;
  owner: string;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  disk_format: string | null;
  container_format: string | null;
  [field: string]: unknown;
}

export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

const TERMINAL = new Set(['success', 'failure']);

/** A Glance v2 client for one token: plain `fetch`, as any HTTP user would call the API. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { 'X-Auth-Token': this.token, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = contentType;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** The raw bytes of a download (e.g. GET /v2/images/{id}/file). */
  async download(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: { 'X-Auth-Token': this.token } });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  /** POST /v2/tasks; throws unless the API answers 201. */
  async createTask(type: 'import' | 'export', input: Record<string, unknown>): Promise<Task> {
    const response = await this.request<Task>('POST', '/v2/tasks', { type, input });
    if (response.status !== 201) {
      throw new Error(`POST /v2/tasks answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  async getTask(id: string): Promise<JsonResponse<Task>> {
    return this.request<Task>('GET', `/v2/tasks/${id}`);
  }

  async getImage(id: string): Promise<JsonResponse<Image>> {
    return this.request<Image>('GET', `/v2/images/${id}`);
  }

  /** Polls GET /v2/tasks/{id} until the task is success or failure. */
  async waitForTask(id: string, timeoutMs = 90_000): Promise<Task> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.getTask(id);
      if (response.status !== 200) {
        throw new Error(`GET /v2/tasks/${id} answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      if (TERMINAL.has(response.body.status)) return response.body;
      if (Date.now() > deadline) {
        throw new Error(`task ${id} still ${response.body.status} after ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** createTask + waitForTask. */
  async runTask(type: 'import' | 'export', input: Record<string, unknown>): Promise<Task> {
    const task = await this.createTask(type, input);
    return this.waitForTask(task.id);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';

export interface TaskView {
  id: string;
  status: string;
  message: string;
  result?: Record<string, string>;
  [key: string]: unknown;
}

/** The smallest possible Glance v2 task client: create, then poll until the task is terminal. */
export class TaskClient {
  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  async create(body: unknown): Promise<TaskView> {
    const response = await fetch(new URL('/v2/tasks', this.apiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': this.token },
      body: JSON.stringify(body),
    });
    if (response.status !== 201)
      throw new Error(`POST /v2/tasks → ${response.status}: ${await response.text()}`);
    return (await response.json()) as TaskView;
  }

  async get(id: string): Promise<TaskView> {
    const response = await fetch(new URL(`/v2/tasks/${id}`, this.apiUrl), {
      headers: { 'x-auth-token': this.token },
    });
    if (response.status !== 200)
      throw new Error(`GET /v2/tasks/${id} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as TaskView;
  }

  async waitUntilDone(id: string, timeoutMs: number, onPoll: (task: TaskView) => void): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.get(id);
      onPoll(task);
      if (task.status === 'success' || task.status === 'failure') return task;
      if (Date.now() > deadline)
        throw new Error(`task ${id} still ${task.status} after ${timeoutMs / 1000} s`);
      await sleep(500);
    }
  }
}

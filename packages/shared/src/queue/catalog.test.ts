import { describe, expect, it } from 'vitest';
import { jobIdForTask, taskJobPayload } from './catalog.js';

describe('queue catalog', () => {
  it('accepts an id-only payload and rejects anything more', () => {
    const taskId = '7bdc8ede-9098-4d79-9477-697f586cb333';
    expect(taskJobPayload.parse({ taskId })).toEqual({ taskId });
    expect(() => taskJobPayload.parse({ taskId, secretKey: 'x' })).toThrow();
    expect(() => taskJobPayload.parse({ taskId: 'not-a-uuid' })).toThrow();
  });

  it('derives a stable BullMQ-legal job id from the task id', () => {
    const id = jobIdForTask('7bdc8ede-9098-4d79-9477-697f586cb333');
    expect(id).toBe(jobIdForTask('7bdc8ede-9098-4d79-9477-697f586cb333'));
    expect(id).not.toContain(':');
  });
});

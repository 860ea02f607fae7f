import type { TaskRow } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { taskStubView, taskView } from './task-view.js';

const base: TaskRow = {
  id: 'fc29a67c-ad76-49bc-a317-a5f38dcb44c0',
  tenantId: '00000123',
  type: 'import',
  status: 'pending',
  input: {
    image_properties: { name: 'My excellent custom image' },
    import_from: 'exports/my-excellent-image.vhd',
  },
  result: null,
  message: null,
  progress: null,
  attempts: 0,
  lastError: null,
  idempotencyKey: null,
  requestHash: null,
  createdAt: new Date('2014-02-26T02:58:46.123Z'),
  updatedAt: new Date('2014-02-26T02:58:46.999Z'),
  startedAt: null,
  dispatchedAt: null,
  heartbeatAt: null,
  expiresAt: null,
};

describe('taskView', () => {
  it('renders the seed pending response exactly', () => {
    expect(taskView(base)).toEqual({
      created_at: '2014-02-26T02:58:46Z',
      id: 'fc29a67c-ad76-49bc-a317-a5f38dcb44c0',
      input: {
        image_properties: { name: 'My excellent custom image' },
        import_from: 'exports/my-excellent-image.vhd',
      },
      message: 'None',
      owner: '00000123',
      schema: '/v2/schemas/task',
      self: '/v2/tasks/fc29a67c-ad76-49bc-a317-a5f38dcb44c0',
      status: 'pending',
      type: 'import',
      updated_at: '2014-02-26T02:58:46Z',
    });
  });

  it('shows result and expires_at on success only', () => {
    const success = taskView({
      ...base,
      status: 'success',
      result: { image_id: '1d944ab7-6748-4f3c-b7e2-3553bf006677' },
      expiresAt: new Date('2014-02-28T03:28:18Z'),
    });
    expect(success.result).toEqual({ image_id: '1d944ab7-6748-4f3c-b7e2-3553bf006677' });
    expect(success.expires_at).toBe('2014-02-28T03:28:18Z');
    const failure = taskView({
      ...base,
      status: 'failure',
      result: { image_id: 'x' },
      message: 'Error: Image not found for import. Possible invalid location',
      expiresAt: new Date('2014-02-28T02:58:49Z'),
    });
    expect(failure).not.toHaveProperty('result');
    expect(failure.message).toBe('Error: Image not found for import. Possible invalid location');
    expect(failure.expires_at).toBe('2014-02-28T02:58:49Z');
  });

  it('hides expires_at before the task is terminal and shows progress while processing', () => {
    const processing = taskView({
      ...base,
      status: 'processing',
      expiresAt: new Date(),
      progress: { stage: 'upload', bytesDone: 10, bytesTotal: 100, percent: 10, updatedAt: 'x' },
    });
    expect(processing).not.toHaveProperty('expires_at');
    expect(processing.progress).toEqual({ stage: 'upload', bytes_done: 10, bytes_total: 100, percent: 10 });
  });

  it('lists stubs without input, result and message', () => {
    const stub = taskStubView({
      ...base,
      status: 'success',
      result: { image_id: 'x' },
      expiresAt: new Date(0),
    });
    expect(Object.keys(stub).sort()).toEqual(
      ['created_at', 'expires_at', 'id', 'owner', 'schema', 'self', 'status', 'type', 'updated_at'].sort(),
    );
  });
});

import { createLogger } from '@cloud-images/shared';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { errorMiddleware } from './error-middleware.js';

const handle = errorMiddleware(createLogger({ name: 'test', level: 'silent' }));

/** Runs the middleware on `error` and returns the status and body it answered with. */
function answer(error: unknown): { status: number; body: unknown } {
  const sent: { status: number; body: unknown } = { status: 0, body: undefined };
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    set() {
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  handle(
    error,
    { originalUrl: '/v2/tasks' } as Request,
    res as unknown as Response,
    (() => {}) as NextFunction,
  );
  return sent;
}

const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
const wrapped = (cause: Error) => new DrizzleQueryError('select 1', [], cause);

describe('errorMiddleware: unavailable dependencies are 503, even wrapped by drizzle', () => {
  it.each([
    ['refused connection', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['admin_shutdown', pgError('terminating connection due to administrator command', '57P01')],
    ['cannot_connect_now', pgError('the database system is starting up', '57P03')],
    ['pool connect timeout', pgError('timeout exceeded when trying to connect')],
    ['connection lost mid-query', pgError('Connection terminated unexpectedly')],
    [
      'client broken while checked out',
      pgError('Client has encountered a connection error and is not queryable'),
    ],
    [
      'database not accepting connections',
      pgError('database "images" is not currently accepting connections', '55000'),
    ],
  ])('%s', (_name, cause) => {
    for (const error of [cause, wrapped(cause)]) {
      expect(answer(error)).toEqual({
        status: 503,
        body: {
          error: {
            code: 503,
            title: 'Service Unavailable',
            message: 'A backing service is unavailable; retry later.',
          },
        },
      });
    }
  });

  it('keeps other failures, wrapped or not, a 500', () => {
    for (const error of [new Error('boom'), wrapped(pgError('syntax error at or near "selec"', '42601'))]) {
      expect(answer(error)).toMatchObject({ status: 500, body: { error: { code: 500 } } });
    }
  });
});

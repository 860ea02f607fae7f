import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createObjectStoreFactory } from '../src/storage/minio-object-store.js';
import type { ObjectStore } from '../src/storage/object-store.js';
import { ObjectStoreTimeoutError } from '../src/storage/object-store-errors.js';
import type { ObjectStoreTimeouts } from '../src/storage/timed-agent.js';
import { LocalTcpServer } from './support/local-tcp-server.js';

/**
 * The timeouts, against local servers that accept connections and then misbehave. No S3 is involved: these are
 * the failures a real S3 only shows on a bad day.
 */
const LIMIT = 300;
/** Timers, socket teardown and a busy 2-core box. */
const MARGIN = 700;

let server: LocalTcpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function storeFor(endpoint: string, timeouts: Partial<ObjectStoreTimeouts>): ObjectStore {
  return createObjectStoreFactory({ connectMs: 5_000, socketIdleMs: 30_000, requestMs: 30_000, ...timeouts })(
    {
      endpoint,
      region: 'us-east-1',
      accessKey: 'test',
      secretKey: 'test-secret',
    },
  );
}

async function expectTimeout(work: () => Promise<unknown>, limit: number): Promise<void> {
  const started = Date.now();
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsed = Date.now() - started;
  expect(error).toBeInstanceOf(ObjectStoreTimeoutError);
  expect(elapsed).toBeGreaterThanOrEqual(limit - 20);
  expect(elapsed).toBeLessThan(limit + MARGIN);
}

const calls: Record<string, (store: ObjectStore) => Promise<unknown>> = {
  stat: (store) => store.stat('bucket', 'key'),
  bucketExists: (store) => store.bucketExists('bucket'),
  makeBucket: (store) => store.makeBucket('bucket', 'us-east-1'),
  readRange: (store) => store.readRange('bucket', 'key', 512, 512),
  getStream: (store) => store.getStream('bucket', 'key'),
  getRangeStream: (store) => store.getRangeStream('bucket', 'key', 0, 100),
  uploadMultipart: (store) =>
    store.uploadMultipart({
      bucket: 'bucket',
      key: 'key',
      source: Readable.from([Buffer.alloc(1024)]),
      partSize: 5 * 1024 * 1024,
    }),
  listIncompleteUploads: (store) => store.listIncompleteUploads('bucket', ''),
  abortIncompleteUploads: (store) => store.abortIncompleteUploads('bucket', 'key'),
  remove: (store) => store.remove('bucket', 'key'),
};

describe('a server that accepts and never answers', () => {
  it.each(Object.keys(calls))(
    '%s fails with Timeout after the request timeout, leaving no socket open',
    async (name) => {
      server = await LocalTcpServer.start();
      const store = storeFor(server.endpoint, { requestMs: LIMIT });
      await expectTimeout(() => calls[name]!(store), LIMIT);
      expect(server.sockets.length).toBeGreaterThan(0);
      expect(await server.waitUntilAllClosed()).toBe(0);
    },
  );

  it('the idle-socket timeout alone also ends a call, as Timeout', async () => {
    server = await LocalTcpServer.start();
    const store = storeFor(server.endpoint, { socketIdleMs: LIMIT });
    await expectTimeout(() => store.stat('bucket', 'key'), LIMIT);
    expect(await server.waitUntilAllClosed()).toBe(0);
  });

  it('the connect timeout ends a call whose connection is never set up (TLS never answered), as Timeout', async () => {
    server = await LocalTcpServer.start();
    const store = storeFor(server.endpoint.replace('http:', 'https:'), { connectMs: LIMIT });
    await expectTimeout(() => store.stat('bucket', 'key'), LIMIT);
    expect(await server.waitUntilAllClosed()).toBe(0);
  });

  it('a multipart upload that times out destroys its source', async () => {
    server = await LocalTcpServer.start();
    const store = storeFor(server.endpoint, { requestMs: LIMIT });
    const partSize = 5 * 1024 * 1024;
    // More than two parts, and never ending: a source that fits one part is sent as one PUT only once it ends,
    // so the upload reaches the (hung) server only when it is known to need several parts.
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(2 * partSize + 1));
    await expectTimeout(
      () => store.uploadMultipart({ bucket: 'bucket', key: 'key', source, partSize }),
      LIMIT,
    );
    expect(source.destroyed).toBe(true);
    expect(await server.waitUntilAllClosed()).toBe(0);
  });

  it('an upload that fits one part is one PUT, bounded by the same request timeout', async () => {
    server = await LocalTcpServer.start();
    const store = storeFor(server.endpoint, { requestMs: LIMIT });
    const source = Readable.from([Buffer.alloc(1024)]);
    await expectTimeout(
      () => store.uploadMultipart({ bucket: 'bucket', key: 'key', source, partSize: 5 * 1024 * 1024 }),
      LIMIT,
    );
    expect(await server.waitUntilAllClosed()).toBe(0);
  });
});

describe('a server that stalls in the middle of a body', () => {
  const stallAfterHalf = (socket: import('node:net').Socket) => {
    socket.once('data', () => {
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 2048\r\n\r\n',
      );
      socket.write(Buffer.alloc(1024, 0xab));
    });
  };

  it('a streamed get fails with Timeout once the connection idles past the socket timeout', async () => {
    server = await LocalTcpServer.start(stallAfterHalf);
    // The request timeout only bounds the wait for the response; the body is bounded by the idle timeout.
    const store = storeFor(server.endpoint, { socketIdleMs: LIMIT, requestMs: 30_000 });
    const body = await store.getStream('bucket', 'key');
    const started = Date.now();
    let received = 0;
    const error = await (async () => {
      for await (const chunk of body) received += (chunk as Buffer).length;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ObjectStoreTimeoutError);
    expect(received).toBe(1024);
    expect(Date.now() - started).toBeLessThan(LIMIT + MARGIN);
    expect(await server.waitUntilAllClosed()).toBe(0);
  });

  it('a ranged read fails with Timeout at the request timeout', async () => {
    server = await LocalTcpServer.start(stallAfterHalf);
    const store = storeFor(server.endpoint, { requestMs: LIMIT });
    await expectTimeout(() => store.readRange('bucket', 'key', 0, 2048), LIMIT);
    expect(await server.waitUntilAllClosed()).toBe(0);
  });
});

describe('a server that sends more than the range asked for', () => {
  it('the ranged read still returns exactly the length asked for', async () => {
    server = await LocalTcpServer.start((socket) => {
      socket.once('data', () => {
        socket.write(
          'HTTP/1.1 206 Partial Content\r\nContent-Length: 4096\r\nContent-Range: bytes 0-4095/8192\r\n\r\n',
        );
        socket.write(Buffer.alloc(4096, 0x5a));
      });
    });
    const store = storeFor(server.endpoint, {});
    const bytes = await store.readRange('bucket', 'key', 0, 100);
    expect(bytes.length).toBe(100);
    expect(bytes.every((b) => b === 0x5a)).toBe(true);
  });
});

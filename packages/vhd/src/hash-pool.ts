import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * A process-wide pool of hashing threads, so a digest can run on another core while the
 * caller's thread validates and forwards the bytes. Each session is pinned to one thread, and a
 * thread handles its messages in order, so chunks are hashed in the order they were given. Memory
 * is bounded: every chunk is copied into a buffer that is transferred to the thread and back
 * (then reused), and at most `maxQueuedChunks` such buffers are in flight across the whole pool;
 * update() returns a promise to wait on when that many are.
 */
export interface HashPoolOptions {
  /**
   * Threads in the pool. Defaults to one less than the CPUs (at least 1): the calling thread
   * hashes too (MD5), so the pool plus the caller never oversubscribe the cores.
   */
  threads?: number;
  /** Chunks posted but not yet hashed, across all sessions. Defaults to 4 per thread. */
  maxQueuedChunks?: number;
}

export interface HashSession {
  /** Queues `chunk` (copied); the promise, when returned, resolves once there is room again. */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** Hex digest of everything given to update(); rejects if any update failed. */
  digest(): Promise<string>;
  /** Drops the session without a digest (the stream failed). */
  abort(): void;
}

export class HashPoolError extends Error {
  override readonly name = 'HashPoolError';
}

type ToThread =
  | { kind: 'open'; id: number; algorithm: string }
  | { kind: 'update'; id: number; bytes: ArrayBuffer; length: number }
  | { kind: 'digest'; id: number }
  | { kind: 'drop'; id: number };
type FromThread =
  | { kind: 'hashed'; id: number; bytes: ArrayBuffer }
  | { kind: 'digest'; id: number; hex: string }
  | { kind: 'failed'; id: number; message: string };

/** Kept inline (eval) so the pool works from dist, from sources under vitest and from bundles. */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
const failed = new Set();
parentPort.on('message', (m) => {
  try {
    if (m.kind === 'open') { failed.delete(m.id); hashes.set(m.id, createHash(m.algorithm)); return; }
    if (m.kind === 'drop') { hashes.delete(m.id); failed.delete(m.id); return; }
    const hash = hashes.get(m.id);
    if (m.kind === 'update') {
      if (hash) hash.update(new Uint8Array(m.bytes, 0, m.length));
      parentPort.postMessage({ kind: 'hashed', id: m.id, bytes: m.bytes }, [m.bytes]);
      return;
    }
    if (m.kind === 'digest') {
      hashes.delete(m.id);
      if (failed.delete(m.id) || !hash) return;
      parentPort.postMessage({ kind: 'digest', id: m.id, hex: hash.digest('hex') });
    }
  } catch (error) {
    hashes.delete(m.id);
    failed.add(m.id);
    if (m.kind === 'update') parentPort.postMessage({ kind: 'hashed', id: m.id, bytes: m.bytes }, [m.bytes]);
    parentPort.postMessage({ kind: 'failed', id: m.id, message: String(error && error.message || error) });
  }
});
`;

interface SessionState {
  thread: PoolThread;
  error: Error | null;
  resolveDigest: ((hex: string) => void) | null;
  rejectDigest: ((error: Error) => void) | null;
}

interface PoolThread {
  worker: Worker;
  sessions: Set<number>;
  /** Chunks posted to this thread and not hashed yet (aborted sessions' included). */
  queued: number;
}

export class HashPool {
  readonly threads: number;
  readonly maxQueuedChunks: number;
  private readonly pool: PoolThread[] = [];
  private readonly sessions = new Map<number, SessionState>();
  private readonly waiters: Array<() => void> = [];
  /** Buffers back from the threads, reused for the next copies (at most maxQueuedChunks kept). */
  private readonly spare: ArrayBuffer[] = [];
  private queued = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism() - 1));
    this.maxQueuedChunks = Math.max(1, Math.floor(options.maxQueuedChunks ?? 4 * this.threads));
  }

  /** Chunks posted to threads and not hashed yet (for tests and metrics). */
  get queuedChunks(): number {
    return this.queued;
  }

  open(algorithm: string): HashSession {
    if (this.closed) throw new HashPoolError('the hash pool is closed');
    const thread = this.leastBusyThread();
    const id = this.nextId++;
    const state: SessionState = { thread, error: null, resolveDigest: null, rejectDigest: null };
    this.sessions.set(id, state);
    if (thread.sessions.size === 0) thread.worker.ref();
    thread.sessions.add(id);
    this.post(thread, { kind: 'open', id, algorithm });
    return {
      update: (chunk) => this.update(id, state, chunk),
      digest: () => this.digest(id, state),
      abort: () => this.finishSession(id, state, true),
    };
  }

  /** Stops every thread; open sessions fail. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.pool.splice(0);
    for (const thread of threads) this.failThread(thread, new HashPoolError('the hash pool was closed'));
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private update(id: number, state: SessionState, chunk: Uint8Array): Promise<void> | undefined {
    if (state.error) throw state.error;
    // A copy, transferred: the caller keeps its chunk (it is still being forwarded downstream).
    const bytes = this.bufferFor(chunk.byteLength);
    new Uint8Array(bytes).set(chunk);
    state.thread.queued++;
    this.queued++;
    this.post(state.thread, { kind: 'update', id, bytes, length: chunk.byteLength }, [bytes]);
    if (this.queued < this.maxQueuedChunks) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private digest(id: number, state: SessionState): Promise<string> {
    if (state.error) {
      this.finishSession(id, state, true);
      return Promise.reject(state.error);
    }
    return new Promise((resolve, reject) => {
      state.resolveDigest = resolve;
      state.rejectDigest = reject;
      this.post(state.thread, { kind: 'digest', id });
    });
  }

  private finishSession(id: number, state: SessionState, drop: boolean): void {
    if (!this.sessions.delete(id)) return;
    if (drop) this.post(state.thread, { kind: 'drop', id });
    state.thread.sessions.delete(id);
    if (state.thread.sessions.size === 0) state.thread.worker.unref();
  }

  private onMessage(thread: PoolThread, message: FromThread): void {
    const state = this.sessions.get(message.id);
    if (message.kind === 'hashed') {
      if (thread.queued === 0) return; // the thread was already failed and its room freed
      thread.queued--;
      if (this.spare.length < this.maxQueuedChunks) this.spare.push(message.bytes);
      this.release(1);
      return;
    }
    if (!state) return;
    if (message.kind === 'failed') {
      state.error = new HashPoolError(`hashing failed: ${message.message}`);
      if (state.rejectDigest) {
        state.rejectDigest(state.error);
        this.finishSession(message.id, state, false);
      }
      return;
    }
    state.resolveDigest?.(message.hex);
    this.finishSession(message.id, state, false);
  }

  private bufferFor(length: number): ArrayBuffer {
    const index = this.spare.findIndex((b) => b.byteLength >= length);
    if (index >= 0) return this.spare.splice(index, 1)[0]!;
    if (this.spare.length > 0) this.spare.pop(); // too small: let it go rather than keep one more
    return new ArrayBuffer(length);
  }

  private release(count: number): void {
    this.queued -= count;
    while (this.waiters.length > 0 && this.queued < this.maxQueuedChunks) this.waiters.shift()!();
  }

  private post(thread: PoolThread, message: ToThread, transfer: ArrayBuffer[] = []): void {
    thread.worker.postMessage(message, transfer);
  }

  private leastBusyThread(): PoolThread {
    const idle = this.pool.find((t) => t.sessions.size === 0);
    if (idle) return idle;
    if (this.pool.length < this.threads) {
      const thread = this.startThread();
      this.pool.push(thread);
      return thread;
    }
    return this.pool.reduce((best, t) => (t.sessions.size < best.sessions.size ? t : best));
  }

  private startThread(): PoolThread {
    const worker = new Worker(THREAD_SOURCE, { eval: true });
    worker.unref();
    const thread: PoolThread = { worker, sessions: new Set(), queued: 0 };
    worker.on('message', (message: FromThread) => this.onMessage(thread, message));
    const lost = (reason: string) => {
      const index = this.pool.indexOf(thread);
      if (index >= 0) this.pool.splice(index, 1);
      this.failThread(thread, new HashPoolError(reason));
    };
    worker.on('error', (error) => lost(`a hashing thread failed: ${error.message}`));
    worker.on('exit', (code) => lost(`a hashing thread exited with code ${code}`));
    return thread;
  }

  /** Fails the sessions of a thread that is gone, and frees the room their chunks held. */
  private failThread(thread: PoolThread, error: Error): void {
    const held = thread.queued;
    thread.queued = 0;
    this.release(held);
    for (const id of [...thread.sessions]) {
      const state = this.sessions.get(id);
      if (!state) continue;
      state.error = error;
      state.rejectDigest?.(error);
      this.finishSession(id, state, false);
    }
  }
}

let shared: HashPool | null = null;

/** The one pool of this process, created on first use and sized by configureSharedHashPool. */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}

/** Sizes the process's pool (e.g. to the cgroup's CPU quota); call before the first hash. */
export function configureSharedHashPool(options: HashPoolOptions): HashPool {
  if (shared) void shared.close();
  shared = new HashPool(options);
  return shared;
}

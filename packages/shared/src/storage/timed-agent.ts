import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ObjectStoreTimeoutError } from './object-store-errors.js';

export interface ObjectStoreTimeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /** A socket with no traffic either way, in use or pooled: what bounds a streamed body that stalls. */
  socketIdleMs: number;
  /** One whole non-streaming call, or the wait for the response of a streaming one (request-deadline.ts). */
  requestMs: number;
}

/** The defaults of the S3_*_TIMEOUT_MS settings (config/fragments.ts). */
export const defaultObjectStoreTimeouts: ObjectStoreTimeouts = {
  connectMs: 10_000,
  socketIdleMs: 60_000,
  requestMs: 60_000,
};

/**
 * An Agent whose sockets time out. minio 8 takes no AbortSignal and ignores socket timeouts, and an Agent's own
 * `timeout` only reaches idle pooled sockets, so the timers are set on each socket as it is created: a connect
 * timer, and an idle timer that destroys a socket in use, which fails the call (or the body being read).
 */
export function createTimedAgent(protocol: 'http:' | 'https:', timeouts: ObjectStoreTimeouts): http.Agent {
  // `timeout` too: the Agent resets a socket's timeout to its own whenever the socket returns to the pool.
  const options = { keepAlive: true, timeout: timeouts.socketIdleMs };
  // https.Agent is an http.Agent whose connections are TLS sockets, ready on 'secureConnect' instead of 'connect'.
  const Base = (protocol === 'https:' ? https.Agent : http.Agent) as typeof http.Agent;
  const readyEvent = protocol === 'https:' ? 'secureConnect' : 'connect';
  class TimedAgent extends Base {
    override createConnection(
      connectOptions: http.ClientRequestArgs,
      callback?: (err: Error | null, stream: Duplex) => void,
    ) {
      return armed(super.createConnection(connectOptions, callback), readyEvent, timeouts);
    }
  }
  return new TimedAgent(options);
}

function armed<T extends Duplex | null | undefined>(
  stream: T,
  connectedEvent: 'connect' | 'secureConnect',
  timeouts: ObjectStoreTimeouts,
): T {
  if (!stream) return stream;
  const socket = stream as unknown as Socket;
  const connectTimer = setTimeout(() => {
    socket.destroy(new ObjectStoreTimeoutError(`S3: not connected within ${timeouts.connectMs} ms`));
  }, timeouts.connectMs);
  const stopConnectTimer = () => clearTimeout(connectTimer);
  socket.once(connectedEvent, stopConnectTimer);
  socket.once('close', stopConnectTimer);
  socket.setTimeout(timeouts.socketIdleMs, () => {
    socket.destroy(new ObjectStoreTimeoutError(`S3: connection idle for ${timeouts.socketIdleMs} ms`));
  });
  return stream;
}

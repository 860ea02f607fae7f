import net from 'node:net';

/**
 * A TCP server on 127.0.0.1 that stands in for an S3 endpoint that misbehaves: `onConnection` decides what (if
 * anything) each connection is told. Keeps every server-side socket so a test can check none is left open.
 */
export class LocalTcpServer {
  readonly sockets: net.Socket[] = [];
  private constructor(private readonly server: net.Server) {}

  static async start(onConnection: (socket: net.Socket) => void = () => {}): Promise<LocalTcpServer> {
    const server = net.createServer();
    const local = new LocalTcpServer(server);
    server.on('connection', (socket) => {
      local.sockets.push(socket);
      socket.on('error', () => {});
      onConnection(socket);
      // Read (and drop) whatever comes: a socket that is not read never notices the client closing it.
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return local;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Server-side sockets not yet closed (the client end closing shows here as a close). */
  openSockets(): net.Socket[] {
    return this.sockets.filter((socket) => !socket.closed);
  }

  /** Waits up to `ms` for every accepted connection to be closed by the client; returns those still open. */
  async waitUntilAllClosed(ms = 2_000): Promise<number> {
    const deadline = Date.now() + ms;
    while (this.openSockets().length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    return this.openSockets().length;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

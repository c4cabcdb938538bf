import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server, so a test can cut a client off mid-run: `cut()` closes
 * every connection and the port, leaving the client pointed at a closed port.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
}

export async function tcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

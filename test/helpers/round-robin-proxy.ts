import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer in front of several bot instances: each request goes to the next target in turn
 * (strict alternation), so consecutive steps of a conversation land on different instances.
 * `pin` sends every request to one target (a test of that instance alone); `sent` counts per target.
 */
export async function startRoundRobinProxy(targets: () => string[]) {
  let next = 0;
  let pinned: number | undefined;
  const sent: number[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const list = targets();
    const index = pinned ?? next++ % list.length;
    sent[index] = (sent[index] ?? 0) + 1;
    const target = new URL(req.url ?? '/', list[index]);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sent,
    pin(index: number | undefined) {
      pinned = index;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

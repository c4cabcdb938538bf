/**
 * Server-sent events for the chat page: one `change` event per post or card change, naming the
 * chats it touched, so an open page refetches the chat it shows. SSE rather than a WebSocket: it is
 * one-way, plain HTTP, and the browser reconnects by itself.
 */
import type { Request, Response } from 'express';
import type { ContentChange, Emulator } from '../../emulator/index.js';

/** Keeps idle connections open through proxies and lets a dead one be noticed. */
const HEARTBEAT_MS = 20_000;
/** Open streams at most: a page holds one; past this, a client that never reads is only using memory. */
export const MAX_STREAMS = 100;

/** The stream route and a way to end every open stream (a server cannot close while they are open). */
export function liveEvents(emulator: Emulator) {
  const open = new Set<Response>();
  const stop = emulator.onChange((change: ContentChange) => {
    const frame = `event: change\ndata: ${JSON.stringify({ kind: change.kind, chatIds: change.chatIds })}\n\n`;
    for (const res of open) res.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of open) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    route(req: Request, res: Response): void {
      if (open.size >= MAX_STREAMS) {
        // The page's EventSource tries again by itself after the retry delay.
        res.status(503).set('Retry-After', '5').json({ error: 'Too many open pages; try again in a moment.' });
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      // A first frame at once: the page knows it is live, and a proxy flushes the headers.
      res.write('event: ready\ndata: {}\n\n');
      open.add(res);
      req.on('close', () => open.delete(res));
    },
    close(): void {
      stop();
      clearInterval(heartbeat);
      for (const res of open) res.end();
      open.clear();
    },
  };
}

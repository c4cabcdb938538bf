/**
 * A load generator in its own process (so it does not share the event loop it measures):
 * `connections` keep-alive connections POST a body to `url` for `seconds`, each sending its next
 * request when the previous one is answered, and the process prints one JSON line:
 * { requests, failures, seconds, p50, p99 } (latencies in ms, of answered requests).
 *
 * When the body holds `__UUID__`, each request gets a uuid of its own there (RingCentral gives
 * every delivery its own); with a secret, each request is signed as RingCentral signs a card
 * submit (X-Glip-Signature: hex HMAC-SHA1 of the exact body). Both cost the same whatever the
 * target, so a bare endpoint and the bot are loaded alike.
 *
 *   node test/bench/load.ts <url> <headers-json> <body-file> <connections> <seconds> [secret]
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [url, headersJson, bodyFile, connections = '32', seconds = '5', secret = ''] = process.argv.slice(2);
const template = readFileSync(bodyFile!, 'utf8');
const [head, tail] = template.includes('__UUID__') ? template.split('__UUID__', 2) : [template, undefined];
const baseHeaders = JSON.parse(headersJson!) as Record<string, string>;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const target = new URL(url!);
const until = performance.now() + Number(seconds) * 1000;
let requests = 0;
let failures = 0;
let n = 0;
const latencies: number[] = [];

function nextRequest(): { body: Buffer; headers: Record<string, string> } {
  const text = tail === undefined ? head! : `${head}bench-${process.pid}-${n++}${tail}`;
  const body = Buffer.from(text);
  const headers: Record<string, string> = { ...baseHeaders, 'content-length': String(body.length) };
  if (secret) headers['x-glip-signature'] = createHmac('sha1', secret).update(body).digest('hex');
  return { body, headers };
}

function one(): Promise<void> {
  const { body, headers } = nextRequest();
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) {
          requests++;
          latencies.push(performance.now() - started);
        } else failures++;
        resolve();
      });
    });
    req.on('error', () => {
      failures++;
      resolve();
    });
    req.end(body);
  });
}

async function worker() {
  while (performance.now() < until) await one();
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, worker));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
process.stdout.write(`${JSON.stringify({ requests, failures, seconds: elapsed, p50: at(50), p99: at(99) })}\n`);

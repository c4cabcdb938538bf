/**
 * A load generator in its own process (so it does not share the event loop it measures):
 * `connections` keep-alive connections POST the same body to `url` for `seconds`, and the
 * process prints one JSON line: { requests, failures, seconds }.
 *
 *   node --import tsx test/bench/load.ts <url> <headers-json> <body-file> <connections> <seconds>
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [url, headersJson, bodyFile, connections = '32', seconds = '5'] = process.argv.slice(2);
const body = readFileSync(bodyFile!);
const headers = { ...(JSON.parse(headersJson!) as Record<string, string>), 'content-length': String(body.length) };
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const target = new URL(url!);
const until = Date.now() + Number(seconds) * 1000;
let requests = 0;
let failures = 0;

function one(): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) requests++;
        else failures++;
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
  while (Date.now() < until) await one();
}

await Promise.all(Array.from({ length: Number(connections) }, worker));
agent.destroy();
process.stdout.write(`${JSON.stringify({ requests, failures, seconds: Number(seconds) })}\n`);

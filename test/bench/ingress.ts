/**
 * Ingress: one kind of request loaded onto the bot and onto two bare JSON endpoints the benchmark
 * starts itself (node:http, and express with express.json()), the same way, in the same run. The
 * load generator (load.ts) runs in a child process of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';

const root = join(import.meta.dirname, '..', '..');

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

/** What to send: headers, a body (with `__UUID__` for a fresh uuid per request), an optional signing secret. */
export interface RequestSpec {
  path: string;
  headers: Record<string, string>;
  body: string;
  secret?: string;
}

/** Runs load.ts in a child process against `url` for `seconds`. */
export function load(url: string, spec: RequestSpec, connections: number, seconds: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'registrar-bench-load-'));
  const file = join(dir, 'body.json');
  writeFileSync(file, spec.body);
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', join(root, 'test', 'bench', 'load.ts'), url, JSON.stringify(spec.headers), file, String(connections), String(seconds), spec.secret ?? ''];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      try {
        const r = JSON.parse(out) as { requests: number; failures: number; seconds: number; p50: number; p99: number };
        resolve({ rps: r.requests / r.seconds, p50: r.p50, p99: r.p99, failures: r.failures });
      } catch (err) {
        reject(new Error(`the load generator printed no result: ${out}`, { cause: err }));
      }
    });
  });
}

/** The two baselines: a bare node:http JSON endpoint and a bare express one, on loopback. */
export async function startBareServers() {
  const listen = async (server: http.Server) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  // Reads the body, parses it as JSON, answers a small JSON body: the least a JSON endpoint does.
  const node = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let ok = true;
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        ok = false;
      }
      const text = JSON.stringify({ ok });
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
    });
  });
  const app = express();
  app.use(express.json({ type: () => true, limit: '1mb' }));
  app.use((_req, res) => void res.json({ ok: true }));
  const expressServer = http.createServer(app);
  const urls = { node: await listen(node), express: await listen(expressServer) };
  const close = (s: http.Server) => new Promise<void>((r) => s.close(() => r()));
  return { urls, close: async () => void (await Promise.all([close(node), close(expressServer)])) };
}

export interface IngressRow {
  bot: LoadResult;
  node: LoadResult;
  express: LoadResult;
}

/**
 * Loads the same request onto the bot and both baselines, each after a short warm-up that is not
 * counted (the first requests compile the code on the path).
 */
export async function compareIngress(botUrl: string, bare: { node: string; express: string }, spec: RequestSpec, { connections = 32, seconds = 5, warmup = 1 } = {}): Promise<IngressRow> {
  const run = async (base: string) => {
    await load(`${base}${spec.path}`, spec, connections, warmup);
    return load(`${base}${spec.path}`, spec, connections, seconds);
  };
  const node = await run(bare.node);
  const expressRun = await run(bare.express);
  const bot = await run(botUrl);
  return { bot, node, express: expressRun };
}

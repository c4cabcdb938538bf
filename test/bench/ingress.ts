import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startWorld } from '../helpers/world.js';

const root = join(import.meta.dirname, '..', '..');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Runs the load generator in a child process; resolves to requests per second. */
function load(url: string, headers: Record<string, string>, body: string, connections: number, seconds: number): Promise<{ rps: number; failures: number }> {
  const file = join(tmpdir(), `registrar-bench-body-${process.pid}.json`);
  writeFileSync(file, body);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'bench', 'load.ts'), url, JSON.stringify(headers), file, String(connections), String(seconds)], { cwd: root });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', () => {
      try {
        const r = JSON.parse(out) as { requests: number; failures: number; seconds: number };
        resolve({ rps: r.requests / r.seconds, failures: r.failures });
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * Ingress of verified webhook deliveries the bot then ignores (a team post that does not mention
 * it), beside a bare node:http endpoint that reads the same body, in the same run and machine.
 */
export async function ingressBench(seconds = 5, connections = 32) {
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/bot/webhook`;

  const world = await startWorld({ env: { LOG_LEVEL: 'warn' } });
  const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Busy team', members: [world.alice.id, world.bob.id, world.carol.id, world.botId] });
  const sub = world.emulator.subscriptions({ botId: world.botId })[0]!;
  const body = JSON.stringify({
    uuid: '1',
    event: '/team-messaging/v1/posts',
    timestamp: new Date().toISOString(),
    subscriptionId: sub.id,
    ownerId: world.botId,
    body: { id: '99', groupId: team.id, type: 'TextMessage', text: 'Lunch at noon, anyone?', creatorId: world.alice.id, mentions: null, eventType: 'PostAdded', attachments: null },
  });
  const headers = { 'content-type': 'application/json; charset=UTF-8', 'verification-token': world.bot.verificationToken };
  // One delivery first: the team's details are then cached, as they would be in a busy team.
  await fetch(`${world.bot.url}/bot/webhook`, { method: 'POST', headers, body });
  await new Promise((r) => setTimeout(r, 200));

  const bareRun = await load(bareUrl, headers, body, connections, seconds);
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const rssBefore = process.memoryUsage().rss;
  const botRun = await load(`${world.bot.url}/bot/webhook`, headers, body, connections, seconds);
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 500));
  const rssAfter = process.memoryUsage().rss;
  await world.close();
  await new Promise<void>((r) => bare.close(() => r()));
  return {
    bare: bareRun.rps,
    bot: botRun.rps,
    ratio: botRun.rps / bareRun.rps,
    failures: botRun.failures,
    rss: `rss ${mb(rssBefore)} before, peak ${mb(Math.max(...rss))} under load, ${mb(rssAfter)} after`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await ingressBench();
  console.log(`ignored team posts: bot ${r.bot.toFixed(0)}/s, bare node:http ${r.bare.toFixed(0)}/s, ratio ${r.ratio.toFixed(3)}x (${r.failures} failures); ${r.rss}`);
}

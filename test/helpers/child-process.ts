import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** A Registrar process (src/main.ts, or another entry) that a test can kill -9 and start again. */
export interface Child {
  process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once `marker` was printed; rejects if the process exits first or `timeoutMs` passes. */
  waitFor(marker: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startChild(env: Record<string, string>, entry = join(root, 'src', 'main.ts')): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      for (const l of listeners) l();
      resolve(code);
    }),
  );
  return {
    process: child,
    output: () => out,
    waitFor(marker, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const seen = () => (typeof marker === 'string' ? out.includes(marker) : marker.test(out));
        const done = (err?: Error) => {
          listeners.delete(check);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        const check = () => {
          if (seen()) done();
          else if (exited) done(new Error(`the process exited before printing ${String(marker)}:\n${out.slice(-2000)}`));
        };
        const timer = setTimeout(() => done(new Error(`no ${String(marker)} within ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (!exited) child.kill(signal);
      return exit;
    },
  };
}

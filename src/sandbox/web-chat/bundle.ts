/**
 * The page's script, bundled from client/ with esbuild on first request and kept in memory: a fresh
 * clone needs no build step before `npm start`, and the bundle always matches the sources.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const clientDir = join(import.meta.dirname, 'client');
let script: Promise<string> | undefined;

/** The bundled client script (ESM, minified); built once per process. */
export function clientScript(): Promise<string> {
  script ??= build().catch((err: unknown) => {
    script = undefined; // a later request tries again (a file being edited, say)
    throw err;
  });
  return script;
}

async function build(): Promise<string> {
  // Imported here so the bot outside the sandbox never loads esbuild.
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    entryPoints: [join(clientDir, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The page's HTML and CSS, read from client/. */
export function clientFile(name: 'index.html' | 'style.css'): Promise<string> {
  return readFile(join(clientDir, name), 'utf8');
}

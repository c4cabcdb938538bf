import { existsSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { runRekey } from './run-rekey.js';

/** `npm run rekey`: see run-rekey.ts and README.md, "Moving to a new REGISTRAR_SECRET_KEY". */
if (existsSync('.env')) process.loadEnvFile('.env');
runRekey({ env: process.env, argv: process.argv.slice(2), say: (line) => process.stdout.write(`${line}\n`) }).catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`Re-key stopped; nothing was changed that a rerun does not finish.\n${message}\n`);
  process.exit(1);
});

// First: library notices printed while the other modules load are caught for the log.
import { routeLibraryNotices } from './lib/library-notices.js';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startBot, type RunningBot } from './bot/start-bot.js';
import { createLogger } from './lib/logger.js';

/**
 * `npm start`: read the settings (a .env file too), then run the bot against RingCentral, or,
 * when no RingCentral app is configured, the sandbox: the emulator and the bot in one process.
 */
function cannotStart(err: ConfigError): never {
  process.stderr.write(`Registrar cannot start.\n${err.message}\nSee README.md, "Settings".\n`);
  process.exit(1);
}

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) cannotStart(err);
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  routeLibraryNotices(log);
  // A promise nobody awaited that fails (a library's timer, say) must not take the bot down with
  // everything in flight; it is logged and the bot goes on. Start-up recovery covers a real crash.
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err }));
  let stop: () => Promise<void>;
  try {
    if (config.sandbox) {
      // Loaded only here: a production bot does not carry the emulator and the web chat page.
      const { startSandbox } = await import('./sandbox/start-sandbox.js');
      const sandbox = await startSandbox({ config, log });
      stop = sandbox.close;
    } else {
      const bot: RunningBot = await startBot({ config, log });
      stop = bot.close;
    }
  } catch (err) {
    // Some settings can only be checked by using them (DATA_DIR, SCOPES_FILE).
    if (err instanceof ConfigError) cannotStart(err);
    throw err;
  }
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal });
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Registrar failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

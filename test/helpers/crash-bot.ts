/**
 * The bot as `npm start` runs it against RingCentral, for crash tests: configured from the
 * environment, plus REGISTRAR_TEST_CRASH_AT, a comma-separated list of checkpoint names at which
 * the process kills itself with SIGKILL (nothing is flushed, nothing is cleaned up).
 */
import { loadConfig } from '../../src/config.js';
import { startBot } from '../../src/bot/start-bot.js';
import { createLogger } from '../../src/lib/logger.js';

const crashAt = new Set((process.env.REGISTRAR_TEST_CRASH_AT ?? '').split(',').filter(Boolean));
const config = loadConfig(process.env);
const log = createLogger({ level: config.logLevel });
const bot = await startBot({
  config,
  log,
  host: '127.0.0.1',
  timing: { sub406RetryMs: 30, retry: { baseDelayMs: 10, maxDelayMs: 50 } },
  checkpoint: (name) => {
    if (!crashAt.has(name)) return;
    process.stdout.write(`crashing at ${name}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
process.once('SIGTERM', () => void bot.close().then(() => process.exit(0)));

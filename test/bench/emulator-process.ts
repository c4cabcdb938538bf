/**
 * The emulator in a process of its own, for benchmarks that must measure the bot alone: prints
 * `emulator <url>` once it listens; driven through its /_emulator control routes.
 */
import { startEmulator } from '../../src/emulator/index.js';

const emulator = await startEmulator();
process.stdout.write(`emulator ${emulator.url}\n`);
process.once('SIGTERM', () => void emulator.close().then(() => process.exit(0)));

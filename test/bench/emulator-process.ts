/**
 * The emulator in a process of its own, for benchmarks that must measure the bot alone: prints
 * `emulator <url>` once it listens; driven through its /_emulator control routes.
 */
import { startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';

/**
 * The benchmark loads the bot far past RingCentral's rate budgets on purpose (it measures the bot,
 * not RingCentral), so an emulator that enforces them is told not to, and advertises budgets the
 * bot's gates never reach. Options this emulator does not know yet are ignored.
 */
const unlimited = 1_000_000_000;
const options: EmulatorOptions & { rateLimits?: unknown } = {
  rateLimits: { enforce: false, limits: { Light: unlimited, Medium: unlimited, Heavy: unlimited, Auth: unlimited } },
};
const emulator = await startEmulator(options);
process.stdout.write(`emulator ${emulator.url}\n`);
process.once('SIGTERM', () => void emulator.close().then(() => process.exit(0)));

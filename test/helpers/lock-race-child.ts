// One of several processes racing for DATA_DIR's lock: starts at RACE_AT (ms since epoch), holds it
// for HOLD_MS, prints the window it held it or that it was refused.
import { lockDataDir } from '../../src/store/lowdb/data-dir-lock.js';

const at = Number(process.env.RACE_AT);
while (Date.now() < at) {
  // spin, to line up with the others to the millisecond
}
lockDataDir(process.env.DATA_DIR!).then(
  async (lock) => {
    const from = Date.now();
    await new Promise((r) => setTimeout(r, Number(process.env.HOLD_MS ?? 1000)));
    process.stdout.write(`held ${from} ${Date.now()}\n`);
    await lock.release();
    process.stdout.write('done\n');
  },
  (err: { code?: string }) => process.stdout.write(`refused ${err.code}\ndone\n`),
);

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Time a piece of work spent waiting on RingCentral, so its own share can be told apart: a click
 * runs inside `measure`, and every RingCentral call made on its behalf (however deep) adds its
 * duration with `addWaiting`.
 *
 * @example
 *   const { result, ownMs } = await measure(() => handleSubmit(body));
 */
const current = new AsyncLocalStorage<{ waitingMs: number }>();

export function addWaiting(ms: number): void {
  const slot = current.getStore();
  if (slot) slot.waitingMs += ms;
}

export async function measure<T>(work: () => Promise<T>): Promise<{ result: T; totalMs: number; ownMs: number }> {
  const slot = { waitingMs: 0 };
  const started = performance.now();
  const result = await current.run(slot, work);
  const totalMs = performance.now() - started;
  return { result, totalMs, ownMs: Math.max(0, totalMs - slot.waitingMs) };
}

/**
 * The Validation-Token probe made during WebHook subscription create/update (contract 2.3):
 * POST with `Validation-Token` (and `Verification-Token` if set), `Content-Length: 0`, no body.
 * The receiver must answer 200, echo the same `Validation-Token` header, within the timeout,
 * with a response (headers + body) of at most 1024 bytes.
 */
import { OutboundError, type OutboundHttp } from './http-out.js';
import { uuid } from './ids.js';

/** Largest acceptable handshake response, headers included. */
export const MAX_HANDSHAKE_RESPONSE_BYTES = 1024;

/** Outcome of a probe; `reason` is for logs and the emulator detail of SUB-525. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** Probes `address`; never throws. */
export async function probeWebhook(
  http: OutboundHttp,
  opts: { address: string; verificationToken: string | null; timeoutMs: number },
): Promise<ProbeResult> {
  const token = uuid();
  const headers: Record<string, string> = {
    'Validation-Token': token,
    'User-Agent': 'RingCentral-Webhook/8.3',
  };
  if (opts.verificationToken !== null) headers['Verification-Token'] = opts.verificationToken;
  try {
    const res = await http.send({
      method: 'POST',
      url: opts.address,
      headers,
      timeoutMs: opts.timeoutMs,
      maxBodyBytes: MAX_HANDSHAKE_RESPONSE_BYTES,
    });
    if (res.status !== 200) return { ok: false, reason: `answered HTTP ${res.status}, expected 200` };
    if (res.headers['validation-token'] !== token) {
      return { ok: false, reason: 'the Validation-Token header was not echoed' };
    }
    if (res.sizeBytes > MAX_HANDSHAKE_RESPONSE_BYTES) {
      return { ok: false, reason: `response is ${res.sizeBytes} bytes, limit ${MAX_HANDSHAKE_RESPONSE_BYTES}` };
    }
    return { ok: true };
  } catch (err) {
    if (err instanceof OutboundError && err.kind === 'timeout') {
      return { ok: false, reason: `no answer within ${opts.timeoutMs} ms` };
    }
    if (err instanceof OutboundError && err.kind === 'too-large') {
      return { ok: false, reason: `response is over ${MAX_HANDSHAKE_RESPONSE_BYTES} bytes` };
    }
    return { ok: false, reason: `request failed: ${(err as Error).message}` };
  }
}

/**
 * Outbound HTTP calls the platform makes to the bot (install, Validation-Token probe,
 * notifications, interactive submits). Built on node:http rather than fetch so the emulator
 * controls every header (fetch adds its own) and can measure the raw response size the
 * handshake limit applies to (contract 2.3).
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** What a bot answered. */
export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Raw response size: status line + header lines + body, in bytes. */
  sizeBytes: number;
  body: Buffer;
  durationMs: number;
}

/** Why an outbound call failed without an HTTP answer. */
export type OutboundFailure = 'timeout' | 'network' | 'closed' | 'too-large';

/** An outbound call that got no (usable) HTTP answer. */
export class OutboundError extends Error {
  override readonly name = 'OutboundError';

  constructor(
    readonly kind: OutboundFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Parameters of one outbound call. */
export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Stop reading (and fail with 'too-large') beyond this many body bytes. */
  maxBodyBytes?: number;
}

/** Makes outbound calls and can abort all of them on shutdown. */
export class OutboundHttp {
  private readonly inFlight = new Set<http.ClientRequest>();
  // Dedicated agents without keep-alive: no pooled sockets outlive the emulator.
  private readonly httpAgent = new http.Agent({ keepAlive: false });
  private readonly httpsAgent = new https.Agent({ keepAlive: false });

  /**
   * @param beforeSend runs before every outbound call: the emulator saves its state there, so what
   *   the bot is told about (a post, a click) is on disk before the bot can act on it.
   */
  constructor(private readonly beforeSend: () => Promise<void> = async () => {}) {}

  /** Sends a request; resolves with any HTTP answer, rejects with {@link OutboundError}. */
  async send(req: OutboundRequest): Promise<OutboundResponse> {
    await this.beforeSend();
    return this.sendNow(req);
  }

  private sendNow(req: OutboundRequest): Promise<OutboundResponse> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        reject(new OutboundError('network', `invalid URL ${req.url}`));
        return;
      }
      const isHttps = url.protocol === 'https:';
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string> = { ...req.headers };
      if (body !== undefined || req.method === 'POST') headers['Content-Length'] = String(body?.length ?? 0);
      const request = (isHttps ? https : http).request(url, {
        method: req.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      this.inFlight.add(request);
      const timer = setTimeout(
        () => request.destroy(new OutboundError('timeout', `no answer within ${req.timeoutMs} ms`)),
        req.timeoutMs,
      );
      const finish = (): void => {
        clearTimeout(timer);
        this.inFlight.delete(request);
      };
      request.on('error', (err) => {
        finish();
        reject(err instanceof OutboundError ? err : new OutboundError('network', err.message));
      });
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (req.maxBodyBytes !== undefined && length > req.maxBodyBytes) {
            request.destroy(new OutboundError('too-large', `response body over ${req.maxBodyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          finish();
          const status = res.statusCode ?? 0;
          const statusLine = `HTTP/${res.httpVersion} ${status} ${res.statusMessage ?? ''}\r\n`;
          let headerBytes = Buffer.byteLength(statusLine) + 2;
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            headerBytes += Buffer.byteLength(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
          }
          resolve({
            status,
            headers: res.headers,
            sizeBytes: headerBytes + length,
            body: Buffer.concat(chunks),
            durationMs: Date.now() - started,
          });
        });
        res.on('error', () => undefined); // request 'error' reports it
      });
      request.end(body);
    });
  }

  /** Aborts every in-flight call (used by `close()`). */
  abortAll(): void {
    for (const request of this.inFlight) {
      request.destroy(new OutboundError('closed', 'emulator closed'));
    }
    this.inFlight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Parses a response body as JSON when it looks like JSON, else returns the text ('' when empty). */
export function parseBody(res: OutboundResponse): unknown {
  const text = res.body.toString('utf8');
  const type = String(res.headers['content-type'] ?? '');
  if (text.length > 0 && (type.includes('json') || /^[[{]/.test(text.trim()))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

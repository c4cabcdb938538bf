/**
 * Error types of the emulator.
 *
 * - {@link RcApiError}: a RingCentral REST error, answered as
 *   `{errorCode, message, errors:[{errorCode, message, ...extra}]}` (contract 7).
 * - {@link OAuthError}: an error of `/restapi/oauth/*`, which additionally carries
 *   `error`/`error_description` (contract 7; exact shape UNCONFIRMED).
 * - {@link EmulatorError}: misuse of the emulator's own API (setup methods, control routes).
 */

/** One entry of `errors[]` in a RingCentral error body. */
export interface RcErrorDetail {
  errorCode: string;
  message: string;
  [extra: string]: string;
}

/** The RingCentral REST error body. */
export interface RcErrorBody {
  errorCode: string;
  message: string;
  errors: RcErrorDetail[];
}

/** A RingCentral REST API error with its HTTP status and stable `errorCode`. */
export class RcApiError extends Error {
  override readonly name = 'RcApiError';

  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The wire body. */
  toBody(): RcErrorBody {
    return {
      errorCode: this.errorCode,
      message: this.message,
      errors: [{ errorCode: this.errorCode, message: this.message, ...this.extra }],
    };
  }
}

/** Codes from the RingCentral error table (D `docs/basics/errors.md`) used by the emulator. */
export const rcError = {
  invalidParameter: (parameterName: string, status = 400): RcApiError =>
    new RcApiError(status, 'CMN-101', `Parameter [${parameterName}] value is invalid.`, {
      parameterName,
    }),
  notFound: (parameterName: string, status = 404): RcApiError =>
    new RcApiError(status, 'CMN-102', `Resource for parameter [${parameterName}] is not found`, {
      parameterName,
    }),
  badJson: (): RcApiError => new RcApiError(400, 'CMN-103', "JSON can't be parsed."),
  invalidUri: (): RcApiError => new RcApiError(404, 'CMN-120', 'Invalid URI'),
  notSupported: (what: string): RcApiError =>
    new RcApiError(501, 'CMN-202', `Operation is not supported (${what})`),
  internal: (): RcApiError => new RcApiError(500, 'CMN-203', 'Internal Server Error'),
  unavailable: (): RcApiError => new RcApiError(503, 'CMN-201', 'Service Temporary Unavailable'),
  forbidden: (): RcApiError => new RcApiError(403, 'CMN-401', 'Specific application permission required'),
  loginRequired: (): RcApiError => new RcApiError(401, 'CMN-405', 'Login to extension required.'),
  tokenCorrupted: (): RcApiError => new RcApiError(401, 'OAU-129', 'Access token corrupted.'),
  rateExceeded: (): RcApiError => new RcApiError(429, 'CMN-301', 'Request rate exceeded'),
  subscriptionForbidden: (): RcApiError =>
    new RcApiError(403, 'SUB-406', 'Not allowed subscribe for events to extensions of other account'),
  subscriptionExpired: (id: string): RcApiError =>
    new RcApiError(404, 'SUB-507', `Subscription with key [${id}] was expired`),
  invalidEventFilters: (filters: string[]): RcApiError =>
    new RcApiError(400, 'SUB-508', `Invalid event filters: [${filters.join(', ')}]`),
  webhookInvalid: (detail: string): RcApiError =>
    new RcApiError(400, 'SUB-525', 'WebHook server response is invalid', { emulatorDetail: detail }),
};

/** The OAuth error body: RFC 6749 fields plus the RingCentral ones. */
export interface OAuthErrorBody extends RcErrorBody {
  error: string;
  error_description: string;
}

/** An error of the OAuth endpoints. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  /** The wire body. */
  toBody(): OAuthErrorBody {
    return {
      error: this.error,
      error_description: this.message,
      errorCode: this.errorCode,
      message: this.message,
      errors: [{ errorCode: this.errorCode, message: this.message }],
    };
  }
}

/** Stable codes of {@link EmulatorError}. */
export type EmulatorErrorCode =
  | 'EMU_NOT_FOUND'
  | 'EMU_INVALID'
  | 'EMU_CONFLICT'
  | 'EMU_NOT_MEMBER'
  | 'EMU_NO_OUTBOUND_WEBHOOK'
  | 'EMU_OUTBOUND_FAILED'
  | 'EMU_STATE_CORRUPT'
  | 'EMU_TIMEOUT';

const STATUS_OF: Record<EmulatorErrorCode, number> = {
  EMU_NOT_FOUND: 404,
  EMU_INVALID: 400,
  EMU_CONFLICT: 409,
  EMU_NOT_MEMBER: 403,
  EMU_NO_OUTBOUND_WEBHOOK: 409,
  EMU_OUTBOUND_FAILED: 502,
  EMU_STATE_CORRUPT: 500,
  EMU_TIMEOUT: 504,
};

/** Misuse of the emulator API, or a failure of one of its outbound calls. */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';

  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** HTTP status used when a control route reports this error. */
  get status(): number {
    return STATUS_OF[this.code];
  }
}

/**
 * The one error class the app throws on purpose. `code` is stable (tests and the HTTP boundary
 * match on it); `status` is what an HTTP boundary answers; `userMessage` is safe to show in chat.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { status?: number; userMessage?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }
  get status(): number {
    return this.options.status ?? 500;
  }
}

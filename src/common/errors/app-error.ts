export interface FieldProblem {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  extras?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error a client may see. `code` is stable and machine-readable; the filter turns every
 * AppError into RFC 9457 problem details without adding anything it does not carry.
 */
export class AppError extends Error {
  readonly detail: string;
  readonly extras: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    options: AppErrorOptions = {},
  ) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = 'AppError';
    this.detail = options.detail ?? title;
    this.extras = options.extras ?? {};
    this.headers = options.headers ?? {};
  }
}

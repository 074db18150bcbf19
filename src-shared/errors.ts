/**
 * The result envelope every API call returns (IPC drops custom error properties, so errors travel as data).
 */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'import_failed'
  | 'unknown_channel'
  | 'job_failed'
  | 'internal';

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Dotted path of the offending field, when the error is about one. */
  field?: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** An error with a user-facing message; the router turns it into `{ ok: false, error }`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Human-readable "field: message" lines from zod issues. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): {
  message: string;
  field?: string;
} {
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  const lines = issues.slice(0, 5).map((issue) => {
    const at = issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)';
    return `${at}: ${issue.message}`;
  });
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more`);
  return { message: lines.join('; '), field };
}

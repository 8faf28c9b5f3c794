/** Every error answer has one shape: {"error": {"code", "message", "details"}}. */
import type { FieldError } from '../core/job-spec.js';

export interface ErrorBody {
  error: { code: string; message: string; details: FieldError[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    /** Sent with the answer, e.g. WWW-Authenticate on a 401. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const invalid = (details: FieldError[], what = 'request'): ApiError =>
  new ApiError(400, 'invalid', `${what} is invalid: ${details.map((d) => `${d.field}: ${d.message}`).slice(0, 3).join('; ')}`, details);

/** An error about one field (or header, or the body as a whole). */
export const fieldError = (status: number, code: string, field: string, message: string): ApiError =>
  new ApiError(status, code, `${field}: ${message}`, [{ field, message }]);

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);

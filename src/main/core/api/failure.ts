import type { ApiError, ErrorCode } from '../../../shared/result';
import type { Decision } from '../policy';

/** Thrown by handlers to end a request with a clear, safe error. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
  toError(): ApiError {
    return this.fields
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}

export const notFound = (what: string) => new ApiFailure('not_found', `${what} was not found.`);
export const conflict = (message: string) => new ApiFailure('conflict', message);
export const invalid = (message: string, fields?: Record<string, string>) => new ApiFailure('invalid', message, fields);

/** Ends the request unless the decision allows it. */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw new ApiFailure(decision.code, decision.reason);
}

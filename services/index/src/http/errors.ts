// The index API's error catalogue: every code with its status and default message, rendered in
// the same {"errors":[…]} envelope as the registry's (shared/src/errors.ts renders both).
import { ApiError, type ApiErrorOptions } from '@wharf/shared';

export const indexErrorCatalogue = {
  INVALID_REQUEST: { status: 400, message: 'the request is malformed' },
  INVALID_FIELD: { status: 400, message: 'a field is invalid' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  NOT_FOUND: { status: 404, message: 'not found' },
  NAME_TAKEN: { status: 409, message: 'the name is taken' },
  CONFLICT: { status: 409, message: 'the request conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type IndexErrorCode = keyof typeof indexErrorCatalogue;

export class IndexError extends ApiError<IndexErrorCode> {
  protected readonly catalogue = indexErrorCatalogue;
  constructor(code: IndexErrorCode, options: ApiErrorOptions = {}) {
    super(code, indexErrorCatalogue[code].message, options);
    this.name = 'IndexError';
  }
}

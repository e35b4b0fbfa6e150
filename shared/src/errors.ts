// The error catalogue: every v2 error code with its HTTP status and default message, and the
// one renderer of the JSON envelope {"errors":[{code,message,detail}]} (OCI spec, "Error Codes").
// A status is never chosen at a call site: it belongs to the code.

export const errorCatalogue = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  MANIFEST_UNVERIFIED: { status: 400, message: 'manifest failed signature verification' },
  MANIFEST_TOO_BIG: { status: 413, message: 'manifest exceeds the size limit' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
  NOT_FOUND: { status: 404, message: 'no such endpoint' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

export interface ErrorEnvelope {
  errors: ErrorEntry[];
}

export interface ApiErrorOptions {
  message?: string;
  detail?: unknown;
  /** Response headers the error carries, e.g. the WWW-Authenticate challenge of a 401. */
  headers?: Record<string, string>;
}

type Catalogue = Record<string, { status: number; message: string }>;

/**
 * An error with a code from a catalogue; the catalogue decides its status and default message.
 * Each service's catalogue gets its own subclass (RegistryError here, the index's IndexError).
 */
export abstract class ApiError<Code extends string = string> extends Error {
  readonly detail: unknown;
  readonly headers: Record<string, string>;
  protected abstract readonly catalogue: Catalogue;
  constructor(
    readonly code: Code,
    defaultMessage: string,
    options: ApiErrorOptions = {},
  ) {
    super(options.message ?? defaultMessage);
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
  get status(): number {
    return this.catalogue[this.code]?.status ?? 500;
  }
}

export class RegistryError extends ApiError<ErrorCode> {
  protected readonly catalogue = errorCatalogue;
  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(code, errorCatalogue[code].message, options);
    this.name = 'RegistryError';
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}

/** Turns anything thrown into the envelope; unknown errors reveal nothing of their internals. */
export function renderError(err: unknown): RenderedError {
  if (err instanceof ApiError) {
    const entry: ErrorEntry = { code: err.code, message: err.message };
    if (err.detail !== undefined) entry.detail = err.detail;
    return { status: err.status, headers: err.headers, body: { errors: [entry] } };
  }
  return {
    status: errorCatalogue.UNKNOWN.status,
    headers: {},
    body: { errors: [{ code: 'UNKNOWN', message: errorCatalogue.UNKNOWN.message }] },
  };
}

/**
 * The legacy v1 rendering of the same errors: v1 clients know no envelope and read
 * {"error": "<message>"}; status and headers still come from the error's catalogue.
 */
export function renderV1Error(err: unknown): { status: number; headers: Record<string, string>; body: { error: string } } {
  if (err instanceof ApiError) return { status: err.status, headers: err.headers, body: { error: err.message } };
  return { status: errorCatalogue.UNKNOWN.status, headers: {}, body: { error: 'internal error' } };
}

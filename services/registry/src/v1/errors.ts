// v1 errors: the legacy API answers `{"error": "<message>"}` (the v1 registry API documents and
// the Python docker-registry), never the v2 envelope. Every v1 failure is a V1Error, and
// v1ErrorRenderer is the one place that turns anything thrown on a v1 route into a response.
import type { Logger } from 'pino';
import { errorRenderer } from '@wharf/common';
import { ApiError, renderV1Error } from '@wharf/shared';

/** The v1 failures, each with its status, named once (as the v2 catalogue does). */
export const v1Errors = {
  REQUIRES_AUTHORIZATION: { status: 401, message: 'Requires authorization' },
  IMAGE_NOT_FOUND: { status: 404, message: 'Image not found' },
  IMAGE_EXISTS: { status: 409, message: 'Image already exists' },
  IMAGE_UNFINISHED: { status: 400, message: 'Image is being uploaded, retry later' },
  INVALID_IMAGE_ID: { status: 400, message: 'Invalid image id' },
  INVALID_IMAGE_JSON: { status: 400, message: 'Invalid image JSON' },
  PARENT_UNKNOWN: { status: 400, message: 'Image depends on a non existing parent' },
  LAYER_MISSING: { status: 400, message: 'Image layer not uploaded' },
  LAYER_INVALID: { status: 400, message: 'Image layer is not a valid gzip stream' },
  LAYER_LIMIT: { status: 400, message: 'Image layer exceeds the limits of this registry' },
  CHECKSUM_MISSING: { status: 412, message: 'Missing X-Docker-Checksum-Payload header' },
  CHECKSUM_MISMATCH: { status: 400, message: 'Checksum mismatch' },
  INVALID_NAME: { status: 400, message: 'Invalid repository name' },
  INVALID_TAG: { status: 400, message: 'Invalid tag name' },
  INVALID_DATA: { status: 400, message: 'Invalid data' },
  ANCESTRY_INCOMPLETE: { status: 400, message: 'Image ancestry is not complete' },
  REPOSITORY_NOT_FOUND: { status: 404, message: 'Repository not found' },
  TAG_NOT_FOUND: { status: 404, message: 'Tag not found' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  DELETE_DISABLED: { status: 405, message: 'Deletes are disabled on this registry' },
  READ_ONLY: { status: 405, message: 'The registry is in read-only mode' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'Requested range not satisfiable' },
  TOO_LARGE: { status: 413, message: 'Request body too large' },
  INDEX_UNAVAILABLE: { status: 503, message: 'Index unavailable' },
  INTERNAL: { status: 500, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type V1ErrorCode = keyof typeof v1Errors;

export class V1Error extends ApiError<V1ErrorCode> {
  protected readonly catalogue = v1Errors;
  constructor(code: V1ErrorCode, options: { message?: string; headers?: Record<string, string> } = {}) {
    super(code, v1Errors[code].message, options);
    this.name = 'V1Error';
  }
}

/** The challenge of every v1 401 (docs/protocol-v1.md, "Token"). */
export const tokenChallenge = { 'WWW-Authenticate': 'Token' } as const;

export function requiresAuthorization(headers: Record<string, string> = tokenChallenge): V1Error {
  return new V1Error('REQUIRES_AUTHORIZATION', { headers });
}

/** What a v1 client gets for anything thrown: the shared v1 rendering, except that every 401 (an
 * auth controller's own challenge included, e.g. Basic realm=… when standalone) says what v1
 * clients expect to read. */
export function renderRegistryV1Error(err: unknown): ReturnType<typeof renderV1Error> {
  const rendered = renderV1Error(err);
  if (rendered.status === 401) rendered.body = { error: v1Errors.REQUIRES_AUTHORIZATION.message };
  return rendered;
}

export function v1ErrorRenderer(fallback: Logger) {
  return errorRenderer(fallback, renderRegistryV1Error);
}

// The public surface of @wharf/common: HTTP plumbing shared by the registry and the index.
export { requestContext } from './request-context.js';
export { errorRenderer } from './error-renderer.js';

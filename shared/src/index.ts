// The public surface of @wharf/shared: the wire contract of Wharf's services and clients.
export * from './digest.js';
export * from './reference.js';
export * from './media-types.js';
export * from './manifest.js';
export * from './errors.js';
export * from './scope.js';
export * from './token-claims.js';
export * from './duration.js';
export * from './basic-auth.js';
export * from './events.js';
export * from './v1-token.js';
export * from './concurrency.js';
export * from './byte-lru.js';
export * from './event-limits.js';

// The public surface of @wharf/index.
export { createIndex, type Index, type IndexDependencies } from './server.js';
export { indexConfigSchema, type IndexConfig, type IndexConfigInput } from './config/schema.js';
export { openIndexStore, type IndexStore } from './db/store.js';
export { authenticate, createAccount, setPassword } from './accounts/accounts.js';
/** Where clients reach a service: http.publicUrl, else https://<addr> with TLS, http:// without. */
export { serviceUrl } from '@wharf/common';

// The registry's configuration: the one definition, with its defaults. The TypeScript type is
// inferred from it. Keys are camelCase and never contain '_', so WHARF_A_B_C maps onto a.b.c.
import { z } from 'zod';
import { duration, listenAddr, logSection } from '@wharf/common';

const filesystemStorage = z.strictObject({
  rootDirectory: z.string().min(1).default('./data/registry'),
});

const memoryStorage = z.strictObject({});

/** Azure Blob storage (or Azurite): one container, block blobs, Distribution's layout. */
const azureStorage = z
  .strictObject({
    /** A connection string (an account's, or Azurite's); wins over accountName/accountKey/endpoint. */
    connectionString: z.string().min(1).optional(),
    /** The storage account's name (with accountKey: shared-key authentication). */
    accountName: z.string().min(1).optional(),
    accountKey: z.string().min(1).optional(),
    /** The blob service URL, for Azurite or a custom domain; default https://<accountName>.blob.core.windows.net. */
    endpoint: z.url().optional(),
    /** The container holding the registry's blobs. */
    container: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'an Azure container name (3-63 of a-z, 0-9, -)'),
    /** A prefix inside the container ('' = the container's top). */
    rootDirectory: z.string().default(''),
    /** Create the container at start-up when it is missing. */
    createContainer: z.boolean().default(true),
    /** Bytes per staged block of a streamed write (Azure allows 50,000 blocks per blob). */
    blockSize: z.number().int().min(1024 * 1024).max(4000 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Blocks staged in parallel per write (memory: uploadConcurrency × blockSize). */
    uploadConcurrency: z.number().int().min(1).max(64).default(4),
    /** How long a move (server-side copy) may stay pending before it fails. */
    copyTimeout: duration.default('5m'),
  })
  .refine((a) => a.connectionString !== undefined || (a.accountName !== undefined && a.accountKey !== undefined), {
    message: 'needs connectionString, or accountName and accountKey',
  });

export const storageSchema = z
  .strictObject({
    filesystem: filesystemStorage.optional(),
    memory: memoryStorage.optional(),
    azure: azureStorage.optional(),
    delete: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
    uploadPurging: z
      .strictObject({
        enabled: z.boolean().default(true),
        age: duration.default('168h'),
        interval: duration.default('24h'),
      })
      .prefault({}),
    maxManifestBytes: z.number().int().positive().default(4 * 1024 * 1024),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    const kinds = (['filesystem', 'memory', 'azure'] as const).filter((k) => s[k] !== undefined);
    if (kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: `exactly one storage driver may be configured (got ${kinds.join(', ')})` });
    }
  })
  .transform((s) => (s.filesystem || s.memory || s.azure ? s : { ...s, filesystem: { rootDirectory: './data/registry' } }));

export const authSchema = z
  .strictObject({
    none: z.strictObject({}).optional(),
    htpasswd: z
      .strictObject({
        realm: z.string().min(1).default('wharf'),
        path: z.string().min(1),
      })
      .optional(),
    token: z
      .strictObject({
        /** The token server's URL that clients are sent to (the challenge's realm). */
        realm: z.url(),
        /** This registry's name as token audience (`aud`) and the challenge's service. */
        service: z.string().min(1),
        /** The token issuer (`iss`) to trust. */
        issuer: z.string().min(1),
        /** The token server's JWKS URL; keys are refetched when an unknown kid appears. */
        jwks: z.url().optional(),
        /** PEM certificates whose keys are trusted (Distribution's rootcertbundle). */
        rootCertBundle: z.string().min(1).optional(),
        leeway: duration.default('30s'),
        jwksMinRefetch: duration.default('5s'),
      })
      .refine((t) => t.jwks !== undefined || t.rootCertBundle !== undefined, {
        message: 'needs jwks or rootCertBundle (where the signing keys come from)',
      })
      .optional(),
  })
  .prefault({})
  .superRefine((a, ctx) => {
    const kinds = (['none', 'htpasswd', 'token'] as const).filter((k) => a[k] !== undefined);
    if (kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: `exactly one auth method may be configured (got ${kinds.join(', ')})` });
    }
  });

/** Where events go after a manifest push or delete (Distribution's notifications.endpoints). */
const notificationEndpoint = z.strictObject({
  /** Names the endpoint in logs. */
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  /** Sent with every request, e.g. Authorization: Bearer <the index's events.secret>. */
  headers: z.record(z.string(), z.string()).default({}),
  /** A request not answered by then counts as failed. */
  timeout: duration.default('5s'),
  /** Attempts per envelope before it is dropped (and logged). */
  threshold: z.number().int().min(1).max(20).default(10),
  /** Wait after the first failure; it doubles after each further one. */
  backoff: duration.default('1s'),
});

export const notificationsSchema = z
  .strictObject({ endpoints: z.array(notificationEndpoint).default([]) })
  .prefault({})
  .superRefine((n, ctx) => {
    const names = n.endpoints.map((e) => e.name);
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length) ctx.addIssue({ code: 'custom', message: `endpoint names must be unique (repeated: ${[...new Set(twice)].join(', ')})` });
  });

/**
 * The legacy v1 registry API (protocol-v1.md). With `index`, v1 tokens are validated by calling
 * that index; without it the registry is standalone for v1 and uses its own auth (none or htpasswd).
 */
export const v1Schema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The index that issued the v1 tokens, e.g. http://127.0.0.1:5001 (no path). */
    index: z.url({ protocol: /^https?$/ }).optional(),
    /** How long a token (or a repository's being public) the index confirmed is trusted. */
    tokenCacheTtl: duration.default('10s'),
  })
  .prefault({});

export const registryConfigSchema = z.strictObject({
  http: z
    .strictObject({
      /** host:port to listen on. */
      addr: listenAddr('127.0.0.1:5000'),
      /** Requests whose body arrives slower than this are cut off. */
      requestTimeout: duration.default('10m'),
      /** Serve Prometheus metrics at GET /metrics (request counts, durations, bytes, process). */
      metrics: z.boolean().default(false),
    })
    .prefault({}),
  log: logSection,
  storage: storageSchema,
  auth: authSchema,
  notifications: notificationsSchema,
  v1: v1Schema,
});

export type RegistryConfigInput = z.input<typeof registryConfigSchema>;
export type RegistryConfig = z.output<typeof registryConfigSchema>;

export { durationMs } from '@wharf/shared';

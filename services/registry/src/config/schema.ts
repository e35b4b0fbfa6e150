// The registry's configuration: the one definition, with its defaults. The TypeScript type is
// inferred from it. Keys are camelCase and never contain '_', so WHARF_A_B_C maps onto a.b.c.
import { z } from 'zod';
import { debugSection, duration, fetchUrl, httpLimitFields, listenAddr, logSection, tlsSection } from '@wharf/common';
import { defaultEventBatchBytes, eventActions, maxEventBytes } from '@wharf/shared';
import { defaultOpenFileBudget } from '../storage/driver/filesystem/open-file-budget.js';
import { defaultMaxManifestReferences } from '../storage/manifest-store.js';

const filesystemStorage = z.strictObject({
  rootDirectory: z.string().min(1).default('./data/registry'),
  /**
   * Files the driver holds open at most, whatever the load (open-file-budget.ts): well under the
   * usual soft limit of 1,024, which sockets share. Streams (blob reads, upload appends) may hold
   * three quarters of it; the rest is kept for short reads and writes.
   */
  maxOpenFiles: z.number().int().min(4).default(defaultOpenFileBudget.maxOpenFiles),
  /** How long an operation waits for a file of that budget before it is refused with 503. */
  openFileWait: duration.default('10s'),
});

const memoryStorage = z.strictObject({});

/** Any S3-compatible object store (AWS S3, Ceph RADOS Gateway, MinIO); Distribution's s3 layout. */
const s3Storage = z.strictObject({
  bucket: z.string().min(1),
  /** Signing region; S3-compatible stores accept any. */
  region: z.string().min(1).default('us-east-1'),
  /** e.g. http://127.0.0.1:7480 for Ceph RGW; unset means AWS's own endpoint for the region. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Static credentials; without them the AWS SDK's default chain (env, profile, instance role). */
  accessKey: z.string().min(1).optional(),
  secretKey: z.string().min(1).optional(),
  /** bucket in the path (http://host/bucket/key), as Ceph and MinIO need, not in the host name. */
  forcePathStyle: z.boolean().default(false),
  /** Key prefix of everything stored (Distribution's rootdirectory). */
  rootDirectory: z.string().default(''),
  /** Storage class of new objects; NONE sends none. */
  storageClass: z.string().min(1).default('STANDARD'),
  /** Server-side encryption: SSE-S3 (AES256), or SSE-KMS with keyId. */
  encrypt: z.boolean().default(false),
  keyId: z.string().min(1).optional(),
  /** First multipart part size in bytes (≥ 5 MiB); later parts grow so 5 TiB fit in 10,000 parts. */
  chunkSize: z.number().int().min(5 * 1024 * 1024).max(5 * 1024 * 1024 * 1024).default(10 * 1024 * 1024),
});

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
    s3: s3Storage.optional(),
    /** Blob GET/HEAD answered with 307 to a presigned URL of the driver (s3), when it offers one. */
    redirect: z.strictObject({ enabled: z.boolean().default(false), expiry: duration.default('20m') }).prefault({}),
    azure: azureStorage.optional(),
    delete: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
    /**
     * Serve pulls only (Distribution's storage.maintenance.readonly): every push, delete and v1
     * write is refused with 405, and nothing runs in the background that writes (purge, gc).
     */
    readOnly: z.boolean().default(false),
    uploadPurging: z
      .strictObject({
        enabled: z.boolean().default(true),
        age: duration.default('168h'),
        interval: duration.default('24h'),
      })
      .prefault({}),
    maxManifestBytes: z.number().int().positive().default(4 * 1024 * 1024),
    /**
     * Descriptors one manifest may list (config, layers, an index's manifests), counted as
     * listed: more is refused with 400 MANIFEST_INVALID before any storage work.
     */
    maxManifestReferences: z.number().int().positive().default(defaultMaxManifestReferences),
    /** Online garbage collection in the registry process (`wharf gc` runs it by hand). */
    gc: z
      .strictObject({
        /** Collect on a schedule. */
        enabled: z.boolean().default(false),
        /** Time between runs (a run still going when the next is due is not doubled). */
        interval: duration.default('24h'),
        /** Blobs and links newer than this are kept: longer than any push takes. */
        gracePeriod: duration.default('1h'),
      })
      .prefault({}),
  })
  .prefault({})
  .superRefine((s, ctx) => {
    const kinds = (['filesystem', 'memory', 's3', 'azure'] as const).filter((k) => s[k] !== undefined);
    if (kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: `exactly one storage driver may be configured (got ${kinds.join(', ')})` });
    }
  })
  .refine((s) => !s.s3 || (s.s3.accessKey === undefined) === (s.s3.secretKey === undefined), {
    message: 's3: accessKey and secretKey go together (or neither, for the default credential chain)',
  })
  .transform((s) => (s.filesystem || s.memory || s.s3 || s.azure ? s : { ...s, filesystem: filesystemStorage.parse({}) }));

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
  url: fetchUrl,
  /** Sent with every request, e.g. Authorization: Bearer <the index's events.secret>. */
  headers: z.record(z.string(), z.string()).default({}),
  /** A request not answered by then counts as failed. */
  timeout: duration.default('5s'),
  /**
   * Failed attempts in a row after which the endpoint is logged as down; the batch is retried on
   * (or given up, with dropAfterThreshold).
   */
  threshold: z.number().int().min(1).max(20).default(10),
  /** Wait after the first failure; it doubles after each further one. */
  backoff: duration.default('1s'),
  /** No wait between two attempts is longer than this. */
  maxBackoff: duration.default('5m'),
  /** Give a batch up after `threshold` failed attempts instead of retrying it until it is taken. */
  dropAfterThreshold: z.boolean().default(false),
  /** Sends nothing and queues nothing for this endpoint (its stored backlog waits). */
  disabled: z.boolean().default(false),
  /**
   * Most bytes in one envelope POSTed to the endpoint; at least the largest event
   * (storage.maxManifestBytes x 5/4 + 16 KiB), and the receiver must accept it (the index's
   * events.maxBodyBytes has the same default).
   */
  maxBatchBytes: z.number().int().positive().default(defaultEventBatchBytes),
  /** Most bytes of undelivered events stored for the endpoint; past it new events are counted and logged, not stored. */
  maxQueueBytes: z.number().int().positive().default(512 * 1024 * 1024),
  /** Most bytes of refused batches kept in the endpoint's dead-letter/; the oldest are deleted past it. */
  maxDeadLetterBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Distribution's older ignoredmediatypes: events whose target has one of these media types are not sent. */
  ignoredMediaTypes: z.array(z.string().min(1)).default([]),
  /** Distribution's ignore block: events with one of these target media types or actions are not sent. */
  ignore: z
    .strictObject({
      mediaTypes: z.array(z.string().min(1)).default([]),
      actions: z.array(z.enum(eventActions)).default([]),
    })
    .prefault({}),
});

export type NotificationEndpointInput = z.input<typeof notificationEndpoint>;
export type NotificationEndpointConfig = z.output<typeof notificationEndpoint>;
/** An endpoint's config with its defaults filled in (for endpoints built in code, as serve's). */
export const notificationEndpointConfig = (input: NotificationEndpointInput): NotificationEndpointConfig => notificationEndpoint.parse(input);

export const notificationsSchema = z
  .strictObject({ endpoints: z.array(notificationEndpoint).default([]) })
  .prefault({})
  .superRefine((n, ctx) => {
    const names = n.endpoints.map((e) => e.name);
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length) ctx.addIssue({ code: 'custom', message: `endpoint names must be unique (repeated: ${[...new Set(twice)].join(', ')})` });
  });

/**
 * The legacy v1 registry API (docs/protocol-v1.md). With `index`, v1 tokens are validated by calling
 * that index; without it the registry is standalone for v1 and uses its own auth (none or htpasswd).
 */
export const v1Schema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The index that issued the v1 tokens, e.g. http://127.0.0.1:5001 (no path). */
    index: fetchUrl.optional(),
    /** How long a token (or a repository's being public) the index confirmed is trusted. */
    tokenCacheTtl: duration.default('10s'),
    /**
     * A read without a token compares the copies of every public repository holding the image id
     * (auth/image-access.ts); an id held by more than this many repositories is not served
     * without a token, so one read never costs a check per holder (issue #12).
     */
    maxPublicHolders: z.number().int().min(1).default(32),
    /**
     * A gzip layer is gunzipped to compute its diff id (storage/layer-digests.ts); these bound that
     * work (issue #12: a 4 MiB gzip of zeros cost 36 s of CPU). Decompressed bytes may reach
     * layerExpansionAllowance + maxLayerExpansion × the bytes received so far, and never
     * maxLayerUncompressedBytes; decompressing and hashing (not waiting for the client) may take
     * layerDigestTimeout.
     */
    maxLayerExpansion: z.number().int().min(1).default(100),
    layerExpansionAllowance: z.number().int().min(0).default(256 * 1024 * 1024),
    maxLayerUncompressedBytes: z.number().int().min(1).default(32 * 1024 * 1024 * 1024),
    layerDigestTimeout: duration.default('5m'),
  })
  .prefault({});

/**
 * One upstream registry this registry is a pull-through cache of (README, "Chained private index
 * / pull-through cache"). A repository name is proxied by the upstream with the longest matching
 * prefix ('*' matches every name), unless its namespace is one the private index owns.
 */
const proxyUpstream = z
  .strictObject({
    /** Names the upstream in logs and in the error a push to a proxied name gets. */
    name: z.string().min(1),
    /** The upstream registry's base URL, e.g. https://registry-1.docker.io (no /v2). */
    url: fetchUrl,
    /** Repository name prefixes this upstream serves: 'library/', 'upstream-org/', or '*'. */
    prefixes: z.array(z.string().regex(/^(\*|[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*\/)$/, "'*' or a name prefix ending in '/'")).min(1),
    /** Remove the matched prefix from the name asked of the upstream ('hub/library/x' → 'library/x'). */
    stripPrefix: z.boolean().default(false),
    /** Credentials for the upstream's token server (or its Basic auth); anonymous without them. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** A long-lived bearer token sent to the upstream as is, instead of the token dance. */
    token: z.string().min(1).optional(),
    /** How long a cached tag is served before the upstream is asked (HEAD) whether it moved. */
    tagTtl: duration.default('5m'),
    /** An upstream request whose response headers take longer counts as unreachable. */
    timeout: duration.default('30s'),
  })
  .refine((u) => (u.username === undefined) === (u.password === undefined), { message: 'username and password go together' })
  .refine((u) => u.token === undefined || u.username === undefined, { message: 'either username/password or token, not both' });

/** Pull-through caching of upstream registries, mixed with local repositories. */
export const proxySchema = z
  .strictObject({
    upstreams: z.array(proxyUpstream).default([]),
    /**
     * The private index whose namespaces are always local, never asked of an upstream: the
     * registry reads GET <url>/registry/namespaces with `Authorization: Bearer <secret>` (the
     * index's events.secret), keeps the list for `ttl` and reloads it (at most every `refresh`)
     * when a name's namespace is not on it.
     */
    localNamespaces: z
      .strictObject({
        url: fetchUrl,
        secret: z.string().min(16),
        ttl: duration.default('1m'),
        refresh: duration.default('2s'),
      })
      .optional(),
  })
  .prefault({})
  .superRefine((p, ctx) => {
    const names = p.upstreams.map((u) => u.name);
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length) ctx.addIssue({ code: 'custom', message: `upstream names must be unique (repeated: ${[...new Set(twice)].join(', ')})` });
    const prefixes = p.upstreams.flatMap((u) => u.prefixes);
    const shared = prefixes.filter((prefix, i) => prefixes.indexOf(prefix) !== i);
    if (shared.length) ctx.addIssue({ code: 'custom', message: `a prefix may belong to one upstream only (repeated: ${[...new Set(shared)].join(', ')})` });
  });

const MiB = 1024 * 1024;

/**
 * In-memory caches, each bounded by bytes (keys, values and a per-entry overhead) and entries, so
 * what they hold stays within these budgets whatever clients send (README, "Limits"). 0 disables.
 */
export const cacheSchema = z
  .strictObject({
    /** Manifest bytes kept for reads (content is immutable, so entries never go stale). */
    manifestBytes: z.number().int().min(0).default(64 * MiB),
    manifestEntries: z.number().int().min(0).default(2048),
    /** Verified credentials the auth method remembers (token claims, htpasswd). */
    authBytes: z.number().int().min(0).default(16 * MiB),
  })
  .prefault({});

export const registryConfigSchema = z.strictObject({
  http: z
    .strictObject({
      /** host:port to listen on. */
      addr: listenAddr('127.0.0.1:5000'),
      /**
       * Timeouts and connection limits; no total time limit by default (as Distribution): an
       * upload that keeps sending may take as long as it needs, a stalled one ends at idleTimeout.
       */
      ...httpLimitFields({ requestTimeout: '0s' }),
      /**
       * Bytes of request bodies read whole (manifests, v1 image JSON) held at once in the process,
       * counted as they arrive; a body whose bytes do not fit gets 503 at once. Bounds memory
       * whatever the number of connections.
       */
      bufferedBodyBytes: z.number().int().min(1).default(64 * 1024 * 1024),
      /** Serve Prometheus metrics at GET /metrics (request counts, durations, bytes, process). */
      metrics: z.boolean().default(false),
      /** Serve https with this certificate and key (and require client certificates with clientCA). */
      tls: tlsSection,
      /** A separate plain-http listener for /metrics, /healthz and /readyz. */
      debug: debugSection,
    })
    .prefault({}),
  log: logSection,
  storage: storageSchema,
  auth: authSchema,
  notifications: notificationsSchema,
  v1: v1Schema,
  proxy: proxySchema,
  cache: cacheSchema,
}).refine((c) => !c.storage.readOnly || c.proxy.upstreams.length === 0, {
  // A pull-through cache writes whatever it fetches: it cannot be read-only.
  message: 'storage.readOnly cannot be combined with proxy.upstreams (a pull-through cache stores what it fetches)',
  path: ['storage', 'readOnly'],
}).superRefine((c, ctx) => {
  // Every event must fit in a batch, or the largest manifests' events could never be delivered.
  const largestEvent = maxEventBytes(c.storage.maxManifestBytes);
  c.notifications.endpoints.forEach((e, i) => {
    if (e.maxBatchBytes < largestEvent) {
      ctx.addIssue({ code: 'custom', path: ['notifications', 'endpoints', i, 'maxBatchBytes'], message: `must be at least ${largestEvent}, the largest event a manifest of storage.maxManifestBytes (${c.storage.maxManifestBytes}) makes` });
    }
    if (e.maxQueueBytes < e.maxBatchBytes) {
      ctx.addIssue({ code: 'custom', path: ['notifications', 'endpoints', i, 'maxQueueBytes'], message: `must be at least maxBatchBytes (${e.maxBatchBytes})` });
    }
  });
});

export type RegistryConfigInput = z.input<typeof registryConfigSchema>;
export type RegistryConfig = z.output<typeof registryConfigSchema>;

export { durationMs } from '@wharf/shared';

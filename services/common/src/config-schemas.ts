// Config pieces both services' schemas use: durations, a listen address, the log section.
import { z } from 'zod';
import { durationGrammar, durationHint, durationMs } from '@wharf/shared';
import type { HttpLimits } from './http-server.js';

// A bare number (YAML `ttl: 5`) gets the hint too, not "expected string, received number".
export const duration = z.string({ error: durationHint }).regex(durationGrammar, durationHint);

/** host:port (IPv6 hosts in brackets). */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port')
  // Checked here, so `config check` catches it, not node's listen() at start-up.
  .refine((addr) => Number(/:(\d{1,5})$/.exec(addr)?.[1] ?? 0) <= 65535, 'host:port with a port from 0 to 65535');

export function listenAddr(defaultAddr: string) {
  return hostPort.default(defaultAddr);
}

export const logSection = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** One line per request: id, method, path, status, bytes, duration, user. */
    accessLog: z.boolean().default(true),
  })
  .prefault({});

/**
 * `http.tls`: serve https only. PEM files are read at start-up and again when they change (renewed
 * certificates need no restart). With `clientCA`, every client must present a certificate it
 * signed (mutual TLS).
 */
export const tlsSection = z
  .strictObject({
    /** PEM certificate, optionally followed by its intermediates. */
    certificate: z.string().min(1),
    /** PEM private key of the certificate. */
    key: z.string().min(1),
    /** PEM bundle of the CAs client certificates must chain to; set = client certificates required. */
    clientCA: z.string().min(1).optional(),
    /** Oldest TLS version accepted; never below 1.2. */
    minVersion: z.enum(['1.2', '1.3']).default('1.2'),
    /** How often the PEM files are checked for changes; changed ones are loaded without a restart. */
    reloadInterval: duration.default('1m'),
  })
  .optional();

export type TlsSettings = NonNullable<z.output<typeof tlsSection>>;

/**
 * `http.debug`: a second, plain-http listener for operators (as Distribution's debug server):
 * with `addr` set, /metrics moves there from the main port, and /healthz and /readyz answer there too.
 */
export const debugSection = z
  .strictObject({
    /** host:port of the debug listener; unset = no debug listener. */
    addr: hostPort.optional(),
  })
  .prefault({});

/**
 * Ports the Fetch standard blocks ("bad ports"): Node's fetch refuses to connect to them with
 * "fetch failed: bad port", so a URL the services fetch from must not use one.
 */
const fetchBlockedPorts = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080,
]);

/** An http(s) URL a service fetches from (upstreams, endpoints): refused at start-up on a blocked port. */
export const fetchUrl = z.url({ protocol: /^https?$/ }).refine((url) => !fetchBlockedPorts.has(Number(new URL(url).port)), {
  message: 'port blocked by the Fetch standard (Node refuses to connect to it): use another port',
});

const positiveDuration = duration.refine((value) => durationMs(value) > 0, 'a duration above zero, such as 10s');

/**
 * `http` settings both services share: how long a client may take, how many connections it may
 * hold, and how long a shutdown waits for running requests. Spread into each service's `http`.
 */
export function httpLimitFields(defaults: { requestTimeout: string }) {
  return {
    /** The whole request head must arrive within this (slow-header clients are cut early). */
    headerTimeout: positiveDuration.default('10s'),
    /** No bytes either way for this long, while a request is being sent or answered, ends the connection. */
    idleTimeout: positiveDuration.default('60s'),
    /** The whole request, body included, must arrive within this; 0s = no limit (a slow upload that keeps sending goes on). */
    requestTimeout: duration.default(defaults.requestTimeout),
    /** An idle kept-alive connection is closed after this; keep it above a load balancer's idle timeout. */
    keepAliveTimeout: positiveDuration.default('65s'),
    /** A kept-alive connection is closed after this many requests; 0 = no limit. */
    maxRequestsPerConnection: z.number().int().min(0).default(1000),
    /** Most connections open at once (per process); keep it well below the file descriptor limit. */
    maxConnections: z.number().int().min(1).default(500),
    /** Most connections one client address (an IPv6 /64) may hold, as a share of maxConnections; 1 behind a load balancer. */
    perAddressShare: z.number().gt(0).max(1).default(0.1),
    /** On SIGINT/SIGTERM, how long running requests may take to finish before they are cut. */
    drainTimeout: duration.default('30s'),
  };
}

type HttpLimitSettings = { [K in keyof ReturnType<typeof httpLimitFields>]: z.output<ReturnType<typeof httpLimitFields>[K]> };

/** The settings as startHttpServer takes them (milliseconds). */
export function httpLimits(http: HttpLimitSettings): HttpLimits {
  return {
    headerTimeoutMs: durationMs(http.headerTimeout),
    idleTimeoutMs: durationMs(http.idleTimeout),
    requestTimeoutMs: durationMs(http.requestTimeout),
    keepAliveTimeoutMs: durationMs(http.keepAliveTimeout),
    maxRequestsPerConnection: http.maxRequestsPerConnection,
    maxConnections: http.maxConnections,
    perAddressShare: http.perAddressShare,
  };
}

/** The limits a server gets when none are configured: the schema's defaults, so both agree. */
export const defaultHttpLimits: Required<HttpLimits> = httpLimits(z.strictObject(httpLimitFields({ requestTimeout: '0s' })).parse({})) as Required<HttpLimits>;

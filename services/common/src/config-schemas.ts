// Config pieces both services' schemas use: durations, a listen address, the log section.
import { z } from 'zod';
import { durationGrammar, durationHint } from '@wharf/shared';

export const duration = z.string().regex(durationGrammar, durationHint);

/** host:port (IPv6 hosts in brackets). */
export function listenAddr(defaultAddr: string) {
  return z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port').default(defaultAddr);
}

export const logSection = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** One line per request: id, method, path, status, bytes, duration, user. */
    accessLog: z.boolean().default(true),
  })
  .prefault({});

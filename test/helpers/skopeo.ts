// skopeo against loopback registries: plain http, no signature policy file needed, and a private
// auth file so no stored credentials from the machine are used.
import { join } from 'node:path';
import { processTempDir, run, runOk, type RunResult } from './process.js';

let authFile: string | undefined;

function env(): NodeJS.ProcessEnv {
  authFile ??= join(processTempDir('wharf-skopeo-auth-'), 'auth.json');
  return { ...process.env, REGISTRY_AUTH_FILE: authFile };
}

/** `skopeo --insecure-policy ...args`, throwing with stderr unless it exits 0. */
export function skopeo(...args: string[]): Promise<RunResult> {
  return runOk('skopeo', ['--insecure-policy', ...args], { env: env(), timeoutMs: 180_000 });
}

/** Same, for commands expected to fail. */
export function skopeoTry(...args: string[]): Promise<RunResult> {
  return run('skopeo', ['--insecure-policy', ...args], { env: env(), timeoutMs: 180_000 });
}

/** `skopeo copy` with plain http on both sides. */
export function skopeoCopy(src: string, dest: string, ...extra: string[]): Promise<RunResult> {
  return skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', ...extra, src, dest);
}

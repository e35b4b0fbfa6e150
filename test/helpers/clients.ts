// Real-client tests need binaries from the OS (docker, skopeo, podman, buildah, ctr,
// docker-registry, htpasswd). On a developer machine a missing one skips the tests that need it, visibly; in CI
// (CI=true) a missing one is an error, so a broken CI image can never pass by skipping.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian packages that provide each client, for the messages. */
const packages: Record<string, string> = {
  docker: 'docker.io (or docker-ce-cli)',
  dockerd: 'docker.io',
  containerd: 'containerd',
  skopeo: 'skopeo',
  podman: 'podman',
  buildah: 'buildah',
  ctr: 'containerd',
  'docker-registry': 'docker-registry',
  htpasswd: 'apache2-utils',
  chromium: 'chromium',
};

export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * undefined when every named binary is on PATH; otherwise a skip reason, or (with CI=true) an
 * exception, so the suite that asked fails. Use as `it(name, { skip: requireClient('skopeo') }, …)`.
 */
export function requireClient(...names: string[]): string | undefined {
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return undefined;
  return unavailable(`needs ${missing.map((n) => `${n} (apt: ${packages[n] ?? n})`).join(', ')} on PATH`);
}

/** The skip reason, or with CI=true the exception, for a prerequisite that is not there. */
export function unavailable(reason: string): string {
  if (process.env.CI === 'true') throw new Error(`CI=true and a required client is missing: ${reason}`);
  return reason;
}

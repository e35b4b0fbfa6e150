// The real docker CLI against the whole system (`wharf serve`: index + registry in token mode).
// alice and bobby sign up; alice pushes a private repository that bobby and anonymous clients
// cannot pull until alice makes bobby a read collaborator (who then pulls, but cannot push); a
// repository made public pulls anonymously after `docker logout`; a personal access token works
// as a docker password until it is revoked, after which neither a fresh login nor the stored
// credential works. Pushes reach the index as events: the tags show there, and a repository
// first pushed without being created through the API appears, private by default. A password
// change ends the old password and the logins made with it at once. Each identity has its own
// DOCKER_CONFIG under a temp dir of this file, so no login leaks between identities or files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { processTempDir, withLogs } from '../helpers/process.js';
import { manifestAccept, request } from '../helpers/registry-api.js';
import { dockerAs, startWharfStack, type DockerClient, type WharfStack } from '../helpers/wharf-stack.js';

const alicePassword = 'alice-correct-horse';
const bobbyPassword = 'bobby-battery-staple';
const alice = `alice:${alicePassword}`;
const bobby = `bobby:${bobbyPassword}`;

/** denied / unauthorized / "may require docker login": what docker says when a token lacks the action. */
const refused = /denied|unauthorized|authentication required|may require 'docker login'/i;

function pushedDigest(pushOutput: string): string {
  const match = /digest: (sha256:[0-9a-f]{64})/.exec(pushOutput);
  assert.ok(match?.[1], `no digest in docker push output:\n${pushOutput}`);
  return match[1];
}

describe('docker against wharf serve: accounts, private repositories, collaborators, access tokens', () => {
  const skip = requireDocker();
  let stack: WharfStack;
  let work: string;
  let asAlice: DockerClient;
  let asBobby: DockerClient;
  let anonymous: DockerClient;
  const loaded = new Set<string>();
  let appRef: string;
  let appId: string;
  let appDigest: string;

  /** Loads a generated image as `ref` into the engine; returns its image id. */
  async function load(ref: string, layers = 2): Promise<string> {
    const imageId = await loadImage(work, ref, layers, `${ref} ${uniqueName('img')}`);
    loaded.add(imageId);
    return imageId;
  }

  /** Removes the image and all its tags from the engine, so a pull must fetch it. */
  async function removeLocal(id: string): Promise<void> {
    await anonymous.ok('rmi', '-f', id);
    assert.notEqual((await anonymous.try(['image', 'inspect', id])).code, 0, `image ${id} still present after rmi`);
  }

  const imageId = async (ref: string) => (await anonymous.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim();

  /** The manifest's status (and digest) at the registry, read with alice's rights by default. */
  async function manifestAtRegistry(name: string, reference: string, auth = alice): Promise<{ status: number; digest: string | null }> {
    const { token } = await stack.registryToken(auth, `repository:${name}:pull`);
    const res = await request(`${stack.registryUrl}/v2/${name}/manifests/${reference}`, {
      headers: { accept: manifestAccept, authorization: `Bearer ${token}` },
    });
    return { status: res.status, digest: res.headers.get('docker-content-digest') };
  }

  /** Waits until the index (told by the registry's push events) lists `tag` → `digest` in `name`. */
  const indexedTag = (name: string, tag: string, digest: string, auth: string) =>
    stack.waitForRepository(name, auth, `lists ${tag} → ${digest}`, (repo) => repo.tags.some((t) => t.tag === tag && t.digest === digest));

  const ref = (name: string, tag: string) => `${stack.registryHost}/${name}:${tag}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs(stack, fn);

  before(async () => {
    if (skip) return;
    work = processTempDir('wharf-index-docker-');
    asAlice = dockerAs(join(work, 'docker-alice'));
    asBobby = dockerAs(join(work, 'docker-bobby'));
    anonymous = dockerAs(join(work, 'docker-anonymous'));
    stack = await startWharfStack();
    await stack.signUp('alice', alicePassword);
    await stack.signUp('bobby', bobbyPassword);
    appRef = ref('alice/app', 'v1');
    appId = await load(appRef, 3);
  });

  after(async () => {
    if (skip) return;
    for (const id of loaded) await anonymous?.try(['rmi', '-f', id]);
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('alice logs in with her password and pushes her private alice/app', { skip }, () =>
    logged(async () => {
      await stack.createRepository(alice, 'alice/app', 'private');
      const wrong = await asAlice.login(stack.registryHost, 'alice', 'not-her-password');
      assert.notEqual(wrong.code, 0, `login with a wrong password succeeded:\n${wrong.stdout}`);
      assert.match(wrong.stderr, /unauthorized|401|incorrect username or password|invalid username/i);
      const login = await asAlice.login(stack.registryHost, 'alice', alicePassword);
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stdout, /Login Succeeded/);
      appDigest = pushedDigest((await asAlice.ok('push', appRef)).stdout);
      assert.deepEqual(await manifestAtRegistry('alice/app', 'v1'), { status: 200, digest: appDigest });
      assert.equal((await indexedTag('alice/app', 'v1', appDigest, alice)).visibility, 'private');
    }));

  it('neither bobby nor an anonymous client can pull the private alice/app', { skip }, () =>
    logged(async () => {
      const login = await asBobby.login(stack.registryHost, 'bobby', bobbyPassword);
      assert.equal(login.code, 0, login.stderr);
      await removeLocal(appId);
      for (const [who, client] of [['bobby', asBobby], ['anonymous', anonymous]] as const) {
        const pull = await client.try(['pull', appRef]);
        assert.notEqual(pull.code, 0, `${who} pulled private ${appRef}:\n${pull.stdout}`);
        assert.match(pull.stderr, refused, `${who}: ${pull.stderr}`);
      }
      assert.notEqual((await anonymous.try(['image', 'inspect', appRef])).code, 0, 'the refused pull left an image behind');
      // Nor may bobby push into alice's namespace.
      const intruder = ref('alice/app', 'bobby-was-here');
      await load(intruder);
      const push = await asBobby.try(['push', intruder]);
      assert.notEqual(push.code, 0, `bobby pushed to alice/app:\n${push.stdout}`);
      assert.match(push.stderr + push.stdout, refused);
      assert.equal((await manifestAtRegistry('alice/app', 'bobby-was-here')).status, 404);
    }));

  it('a read collaborator pulls alice/app but cannot push to it', { skip }, () =>
    logged(async () => {
      await stack.addCollaborator(alice, 'alice/app', 'bobby', 'read');
      const pull = await asBobby.ok('pull', appRef);
      assert.match(pull.stdout, new RegExp(`Digest: ${appDigest}`));
      assert.equal(await imageId(appRef), appId);
      const push = await asBobby.try(['push', ref('alice/app', 'bobby-was-here')]);
      assert.notEqual(push.code, 0, `a read collaborator pushed:\n${push.stdout}`);
      assert.match(push.stderr + push.stdout, refused);
      assert.equal((await manifestAtRegistry('alice/app', 'bobby-was-here')).status, 404);
      // What bobby may read he may copy into his own namespace: docker mounts the layers across.
      const copy = ref('bobby/copy', 'v1');
      await asBobby.ok('tag', appRef, copy);
      const copied = await asBobby.ok('push', copy);
      assert.equal(pushedDigest(copied.stdout), appDigest);
      assert.match(copied.stdout, /Mounted from alice\/app/);
      assert.deepEqual(await manifestAtRegistry('bobby/copy', 'v1', bobby), { status: 200, digest: appDigest });
      // Never created through the API: the first push made it, private by default.
      assert.equal((await indexedTag('bobby/copy', 'v1', appDigest, bobby)).visibility, 'private');
      assert.equal((await stack.api('GET', '/api/repositories/bobby/copy')).status, 404);
      // The grant is bobby's alone: anonymous clients are still refused.
      await removeLocal(appId);
      const anonymousPull = await anonymous.try(['pull', appRef]);
      assert.notEqual(anonymousPull.code, 0, anonymousPull.stdout);
      assert.match(anonymousPull.stderr, refused);
    }));

  it('a repository made public pulls anonymously after docker logout', { skip }, () =>
    logged(async () => {
      const publicRef = ref('alice/public', 'v1');
      const publicId = await load(publicRef);
      await stack.createRepository(alice, 'alice/public', 'private');
      await asAlice.ok('push', publicRef);
      await removeLocal(publicId);
      const whilePrivate = await anonymous.try(['pull', publicRef]);
      assert.notEqual(whilePrivate.code, 0, `pulled private alice/public anonymously:\n${whilePrivate.stdout}`);

      await stack.setVisibility(alice, 'alice/public', 'public');
      await asAlice.ok('logout', stack.registryHost);
      const config = JSON.parse(await readFile(join(asAlice.configDir, 'config.json'), 'utf8')) as { auths?: Record<string, unknown> };
      assert.equal(config.auths?.[stack.registryHost], undefined, 'docker logout left the credential behind');
      await asAlice.ok('pull', publicRef);
      assert.equal(await imageId(publicRef), publicId);
      await anonymous.ok('pull', publicRef);

      // Public means pull, not push; and alice/app is as private as before.
      const push = await asAlice.try(['push', publicRef]);
      assert.notEqual(push.code, 0, `an anonymous push to alice/public succeeded:\n${push.stdout}`);
      assert.match(push.stderr + push.stdout, refused);
      const app = await asAlice.try(['pull', appRef]);
      assert.notEqual(app.code, 0, `private alice/app pulled anonymously:\n${app.stdout}`);
    }));

  it('an access token is a docker password until it is revoked', { skip }, () =>
    logged(async () => {
      const { id, token } = await stack.createAccessToken(alice, `ci-${uniqueName('t')}`, 'read-write');
      // The token's cap holds at the token server: pull and push, never delete.
      const granted = await stack.registryToken(`alice:${token}`, 'repository:alice/app:pull,push,delete');
      assert.equal(granted.scope, 'repository:alice/app:pull,push');

      const withToken = dockerAs(join(work, 'docker-alice-token'));
      const login = await withToken.login(stack.registryHost, 'alice', token);
      assert.equal(login.code, 0, login.stderr);
      // docker keeps the refresh token the index issued for the login, not the secret itself.
      const stored = JSON.parse(await readFile(join(withToken.configDir, 'config.json'), 'utf8')) as { auths?: Record<string, { identitytoken?: string }> };
      assert.ok(stored.auths?.[stack.registryHost]?.identitytoken, `no identity token stored: ${JSON.stringify(stored)}`);
      const v2 = ref('alice/app', 'v2');
      await load(v2);
      const digest = pushedDigest((await withToken.ok('push', v2)).stdout);
      assert.deepEqual(await manifestAtRegistry('alice/app', 'v2'), { status: 200, digest });

      await stack.revokeAccessToken(alice, id);
      const v3 = ref('alice/app', 'v3');
      await load(v3);
      const push = await withToken.try(['push', v3]);
      assert.notEqual(push.code, 0, `push with the revoked token's stored credential succeeded:\n${push.stdout}`);
      // A revoked credential is 401 (unauthorized), not a 403 for a valid but too narrow one.
      assert.match(push.stderr + push.stdout, /unauthorized|revoked/i);
      assert.equal((await manifestAtRegistry('alice/app', 'v3')).status, 404);

      const fresh = dockerAs(join(work, 'docker-alice-revoked'));
      const again = await fresh.login(stack.registryHost, 'alice', token);
      assert.notEqual(again.code, 0, `login with a revoked token succeeded:\n${again.stdout}`);
      assert.match(again.stderr, /unauthorized|401|incorrect username or password|invalid username/i);
      // Her password still works.
      const password = await fresh.login(stack.registryHost, 'alice', alicePassword);
      assert.equal(password.code, 0, password.stderr);
    }));

  it('a password change takes effect at once', { skip }, () =>
    logged(async () => {
      // alice's password was verified moments ago, so any cache of verified passwords holds it.
      const before = dockerAs(join(work, 'docker-alice-before'));
      assert.equal((await before.login(stack.registryHost, 'alice', alicePassword)).code, 0);
      const changed = 'alice-new-password-2';
      await stack.apiOk('PATCH', '/api/user', { auth: alice, body: { password: changed }, expect: [200] });
      const old = await dockerAs(join(work, 'docker-alice-old')).login(stack.registryHost, 'alice', alicePassword);
      assert.notEqual(old.code, 0, `the old password still logs in:\n${old.stdout}`);
      assert.match(old.stderr, /unauthorized|401|incorrect username or password|invalid username/i);
      // The refresh token from the login before the change is revoked with it.
      const push = await before.try(['push', ref('alice/app', 'v2')]);
      assert.notEqual(push.code, 0, `a login from before the password change still pushes:\n${push.stdout}`);
      const now = await dockerAs(join(work, 'docker-alice-new')).login(stack.registryHost, 'alice', changed);
      assert.equal(now.code, 0, now.stderr);
    }));
});

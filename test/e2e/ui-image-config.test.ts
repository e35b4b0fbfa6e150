// A tag's page shows the image's config, read by the index from its registry under `wharf
// serve`: an image pushed over the v2 API with a config built here (entrypoint, cmd, env with a
// markup payload, ports, labels, working dir, user, history with an empty layer), and an image
// index whose platforms link to their own detail pages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildOciIndex, makeLayers, mediaTypes, ociImageOf, sha256, type BuiltImage } from '../helpers/images.js';
import { pushImageHttp, request } from '../helpers/registry-api.js';
import { startWharfStack, type WharfStack } from '../helpers/wharf-stack.js';

const alice = 'alice:alice-correct-horse';

function imageWithConfig(): BuiltImage {
  const layers = makeLayers(2, `ui-config ${Date.now()}`, 4);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'riscv64',
      os: 'linux',
      created: '2026-02-03T04:05:06Z',
      config: {
        Entrypoint: ['/usr/bin/tini', '--'],
        Cmd: ['server', '--port', '8080'],
        Env: ['PATH=/usr/local/bin:/usr/bin', 'GREETING=<script>alert(1)</script>'],
        ExposedPorts: { '8080/tcp': {} },
        Labels: { 'org.opencontainers.image.source': 'https://example.com/app' },
        WorkingDir: '/srv/app',
        User: '1000:1000',
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: [
        { created: '2026-02-03T04:05:00Z', created_by: '/bin/sh -c #(nop) ADD file:rootfs in /' },
        { created: '2026-02-03T04:05:01Z', created_by: '/bin/sh -c #(nop)  ENV GREETING=hello', empty_layer: true },
        { created: '2026-02-03T04:05:02Z', created_by: 'RUN make install' },
      ],
    }),
  );
  return ociImageOf(layers, config);
}

describe('the tag page shows the image config read from the registry (wharf serve)', () => {
  let stack: WharfStack;
  let token: string;

  before(async () => {
    stack = await startWharfStack({ logLevel: 'warn' });
    await stack.signUp('alice', 'alice-correct-horse');
    await stack.createRepository(alice, 'alice/app', 'public');
    ({ token } = await stack.registryToken(alice, 'repository:alice/app:pull,push'));
  });

  after(async () => {
    await stack?.stop();
  });

  const page = async (path: string) => {
    const res = await fetch(`${stack.indexUrl}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('shows platform, entrypoint, cmd, env (escaped), ports, labels, working dir, user and history', async () => {
    await pushImageHttp(stack.registryUrl, 'alice/app', 'v1', imageWithConfig(), `Bearer ${token}`);
    await stack.waitForRepository('alice/app', alice, 'lists v1', (r) => r.tags.some((t) => t.tag === 'v1'));
    const { status, text } = await page('/r/alice/app/-/tags/v1');
    assert.equal(status, 200);
    assert.match(text, /<dd class="platform">linux\/riscv64<\/dd>/);
    assert.match(text, /class="entrypoint"><code>\[&quot;\/usr\/bin\/tini&quot;,&quot;--&quot;\]<\/code>/);
    assert.match(text, /class="cmd"><code>\[&quot;server&quot;,&quot;--port&quot;,&quot;8080&quot;\]/);
    assert.match(text, /<code>GREETING=&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/code>/);
    assert.doesNotMatch(text, /<script>alert/);
    assert.match(text, /<code>8080\/tcp<\/code>/);
    assert.match(text, /org\.opencontainers\.image\.source=https:\/\/example\.com\/app/);
    assert.match(text, /<code>\/srv\/app<\/code>/);
    assert.match(text, /<code>1000:1000<\/code>/);
    const rows = [...text.matchAll(/<tr( class="empty-layer")?>\s*<th scope="row">(\d)<\/th>\s*<td><code>([^<]*)<\/code>/g)].map((m) => [m[2], m[3], Boolean(m[1])]);
    assert.deepEqual(rows, [
      ['1', '/bin/sh -c #(nop) ADD file:rootfs in /', false],
      ['2', '/bin/sh -c #(nop)  ENV GREETING=hello', true],
      ['3', 'RUN make install', false],
    ]);
  });

  it("links an index's platforms to their own detail, each with its config", async () => {
    const built = buildOciIndex(`ui-config-index ${Date.now()}`, ['amd64', 'arm64'], 1);
    // The platforms' manifests by digest, then the index by tag.
    for (const { image } of built.images) await pushImageHttp(stack.registryUrl, 'alice/app', image.manifestDigest, image, `Bearer ${token}`);
    const put = await request(`${stack.registryUrl}/v2/alice/app/manifests/multi`, { method: 'PUT', headers: { 'content-type': mediaTypes.ociIndex }, body: built.index, auth: `Bearer ${token}` });
    assert.equal(put.status, 201, put.body.toString('utf8'));
    await stack.waitForRepository('alice/app', alice, 'lists multi', (r) => r.tags.some((t) => t.tag === 'multi'));
    const { text } = await page('/r/alice/app/-/tags/multi');
    assert.doesNotMatch(text, /Image config/, 'an index has no config of its own');
    for (const [i, arch] of ['amd64', 'arm64'].entries()) {
      const href = `/r/alice/app/-/manifests/${built.images[i]!.image.manifestDigest}`;
      assert.match(text, new RegExp(`<a href="${href}">linux/${arch}</a>`));
      const detail = await page(href);
      assert.equal(detail.status, 200);
      assert.match(detail.text, new RegExp(`<dd class="platform">linux/${arch}</dd>`));
      assert.match(detail.text, /wharf-test layer 0/);
    }
    assert.equal((await page(`/r/alice/app/-/manifests/sha256:${'0'.repeat(64)}`)).status, 404);
  });
});

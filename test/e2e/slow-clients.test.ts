// Issue #12, item 4: stalled clients must not lock a normal client out. Each service runs as an
// operator starts it, under the usual 1,024 file descriptors and on its default limits, while
// 2,000 connections from four other loopback addresses send half a request and then nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { halfBody, halfHeaders, openStalled, timedGet } from '../helpers/stalled-connections.js';
import { spawnWharf } from '../helpers/wharf-process.js';

const services = [
  { command: 'registry' as const, bodyPath: '/v2/stall/blobs/uploads/', bodyType: 'application/octet-stream' },
  { command: 'index' as const, bodyPath: '/api/orgs', bodyType: 'application/json' },
];

describe('slow clients do not hold the door', { skip: process.platform === 'linux' ? undefined : 'needs 127.0.0.0/8 on loopback' }, () => {
  for (const service of services) {
    it(`wharf ${service.command} answers a normal client in under 1 s while 2,000 stalled connections are open`, { timeout: 90_000 }, async () => {
      const wharf = await spawnWharf(service.command, { fdLimit: 1024, env: { WHARF_REGISTRY_LOG_LEVEL: 'warn', WHARF_INDEX_LOG_LEVEL: 'warn' } });
      const port = Number(wharf.hosts[0]!.split(':')[1]);
      const stalled = await openStalled({
        host: '127.0.0.1',
        port,
        count: 2000,
        prefixes: [halfHeaders('/v2/'), halfBody('POST', service.bodyPath, { 'Content-Type': service.bodyType }, 100_000, 5)],
        sourceAddresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
      });
      try {
        await sleep(300);
        for (let i = 0; i < 5; i++) {
          const answer = await timedGet(`${wharf.url}/healthz`, 1_000);
          assert.ok('status' in answer && answer.status === 200, `request ${i + 1}: ${JSON.stringify(answer)} with ${stalled.open()} stalled connections open\n${wharf.logs().slice(-2000)}`);
          assert.ok(answer.ms < 1_000, `request ${i + 1} took ${answer.ms} ms`);
        }
      } finally {
        stalled.close();
        await wharf.stop();
      }
    });
  }
});

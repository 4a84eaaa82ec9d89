import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { haproxyBalancer } from '../../src/balancer/haproxy.js';
import { nginxBalancer } from '../../src/balancer/nginx.js';
import { onPath } from '../../src/host/on-path.js';

describe('a real balancer missing from the machine', () => {
  const saved = process.env.PATH;
  afterEach(() => {
    process.env.PATH = saved;
  });

  it('finds executables on PATH only', () => {
    expect(onPath('sh', '/bin:/usr/bin')).toBe(true);
    expect(onPath('sh', join(tmpdir(), 'sigstorm-no-such-dir'))).toBe(false);
    expect(onPath('sigstorm-no-such-program')).toBe(false);
  });

  it('is said before anything starts, with how to get it and the balancer that needs nothing', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'sigstorm-empty-path-'));
    let started = 0;
    const start = async () => {
      started++;
      throw new Error('nothing may start');
    };
    const dir = mkdtempSync(join(tmpdir(), 'sigstorm-balancer-'));
    await expect(haproxyBalancer(dir, start)).rejects.toMatchObject({
      kind: 'infrastructure',
      message: expect.stringContaining('no `haproxy` on PATH'),
      hint: expect.stringContaining('apt-get install -y haproxy'),
    });
    await expect(nginxBalancer(dir, start)).rejects.toMatchObject({ message: expect.stringContaining('no `nginx` on PATH'), hint: expect.stringContaining('nginx-light') });
    expect(started).toBe(0);
  });
});

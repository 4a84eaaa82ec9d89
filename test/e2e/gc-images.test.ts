import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_LABEL, ensureImage } from '../../src/backends/docker/image.js';
import { loadScenario } from '../../src/scenario/load.js';
import { sigstorm } from '../helpers/cli.js';
import { tempFiles } from '../helpers/files.js';

// A repository of this test's own: `--repository` keeps the sweep off every other image on a shared engine.
const repository = `sigstorm-gc-test-${process.pid}/svc`;
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const tags = () => docker('images', '--format', '{{.Repository}}:{{.Tag}}', repository).split('\n').filter(Boolean).sort();

const dir = tempFiles({ 'svc.yml': `target:\n  image: ${repository}\n  build: ./ctx\n  ports: [8080]\n  ready: { http: /healthz }\n` });
const context = join(dir, 'ctx');
mkdirSync(context);
writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY version /version\nCMD ["/version"]\n');
const containers: string[] = [];

afterAll(() => {
  if (containers.length) docker('rm', '-f', ...containers);
  const left = tags();
  if (left.length) docker('rmi', ...left);
});

describe('sigstorm gc --images', () => {
  it('removes the build no scenario resolves to, keeps the current one, one in use, and an image it did not build', async () => {
    const build = async (version: string) => {
      writeFileSync(join(context, 'version'), version);
      return ensureImage((await loadScenario(join(dir, 'svc.yml'))).target.container!);
    };
    const stale = await build('1');
    const used = await build('2');
    const current = await build('3');
    expect(new Set([stale, used, current]).size).toBe(3);
    expect(docker('image', 'inspect', '--format', `{{index .Config.Labels "${BUILD_LABEL}"}}`, current)).toBe(context);
    // Not a build of sigstorm's: no label, not its tag form.
    docker('build', '-q', '-t', `${repository}:by-hand`, context);
    containers.push(docker('create', used));

    const dry = await sigstorm(['gc', '--images', '--dry-run', '--repository', repository, dir]);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout).toContain(`would remove ${stale} `);
    expect(tags()).toContain(stale);

    const result = await sigstorm(['gc', '--images', '--repository', repository, dir]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^removed ${stale} .*: no scenario resolves to it$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^kept ${current} .*: scenario svc resolves to it$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^kept ${used} .*: in use by container `, 'm'));
    expect(result.stdout).toMatch(/^1 image\(s\) removed \(.* MB\), 2 kept$/m);
    expect(tags()).toEqual([`${repository}:by-hand`, current, used].sort());
  });

  it('a path that does not exist, or paths without --images: exit 2 with a clear message', async () => {
    const missing = await sigstorm(['gc', '--images', join(dir, 'no-such-dir')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`gc --images: ${join(dir, 'no-such-dir')}: no such file or directory`);
    const empty = await sigstorm(['gc', '--images', tempFiles({ 'notes.txt': 'no scenario here' })]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/no scenario files \(\*\.yml, \*\.yaml\) under it/);
    const noFlag = await sigstorm(['gc', dir]);
    expect(noFlag.exitCode).toBe(2);
    expect(noFlag.stderr).toContain('only taken with --images');
  });
});

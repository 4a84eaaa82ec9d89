import { Writable } from 'node:stream';
import { MAX_DURATION_MS, within } from '../../time.js';
import type { LogBuffer } from '../logs.js';
import type { HookRun } from '../target.js';
import type { DockerContainer } from './engine.js';

/** A stop hook run in the container (a preStop exec), its output into `hookLogs`. */
export async function execHook(container: DockerContainer, command: readonly string[], hookLogs: LogBuffer, abort: AbortSignal): Promise<HookRun> {
  try {
    const exec = await container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = (name: 'stdout' | 'stderr') => new Writable({ write: (chunk: Buffer, _enc, done) => (hookLogs.write(name, chunk), done()) });
    container.modem.demuxStream(stream, out('stdout'), out('stderr'));
    const ended = new Promise<void>((resolve) => (stream.once('end', resolve), stream.once('close', resolve), stream.once('error', () => resolve())));
    // The engine cannot stop an exec: one still running when the wait ends dies with the container.
    if (!(await within(ended, MAX_DURATION_MS, abort).then(() => !abort.aborted))) return { exitCode: null, error: 'still running' };
    const { ExitCode } = await exec.inspect();
    return { exitCode: ExitCode ?? null };
  } catch (error) {
    return { exitCode: null, error: (error as Error).message };
  }
}

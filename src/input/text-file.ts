import { readFile } from 'node:fs/promises';
import { badInput } from '../errors.js';
import { ScenarioError } from './scenario-error.js';
import { decodeUtf8, firstInvalidUtf8 } from './utf8.js';

/** One input file as text; `what` names it when it cannot be read ("scenario", "systemd unit"). */
export async function readText(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
    throw badInput(`${path}: cannot read ${what} (${why})`);
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    throw new ScenarioError([{ file: path, line, keyPath: '', message: `expected UTF-8 text (invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at}: a binary file?)` }]);
  }
  return text;
}

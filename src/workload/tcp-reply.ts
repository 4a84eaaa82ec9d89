/** A reply longer than this without its end is not the protocol the scenario describes. */
export const MAX_REPLY_BYTES = 1 << 20;

/** Where a reply ends: after a delimiter (not part of the reply), after so many bytes, or at the server's close. */
export type Framing = { delimiter: Buffer } | { length: number } | 'close';

/** A complete reply, and how many bytes came after it. */
export interface Reply {
  body: Buffer;
  extra: number;
}

/** The reply at the start of `data` once it is whole (a close-framed reply is whole only at the close). */
export function complete(data: Buffer, framing: Framing): Reply | undefined {
  if (framing === 'close') return undefined;
  if ('length' in framing) return data.length >= framing.length ? { body: data.subarray(0, framing.length), extra: data.length - framing.length } : undefined;
  const at = data.indexOf(framing.delimiter);
  return at < 0 ? undefined : { body: data.subarray(0, at), extra: data.length - at - framing.delimiter.length };
}

/**
 * Text for people: escaped as in JSON without the quotes (a newline shows as \n), bytes of a hex request beyond
 * ASCII as \u00XX, cut to `max` characters.
 */
export function printable(text: string, encoding: BufferEncoding = 'utf8', max = 60): string {
  let out = '';
  for (const ch of text) {
    const escaped = encoding === 'latin1' && ch > '~' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1);
    if (out.length + escaped.length > max) return `${out}…`;
    out += escaped;
  }
  return out;
}

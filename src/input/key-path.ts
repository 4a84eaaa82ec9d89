/** Where a value sits in a document: keys of mappings and indices of lists, from the top. */
export type KeyPath = readonly PropertyKey[];

/** `target.ready.http`, `expect.SIGTERM.exit[1]`; a key that is not a plain word is quoted so it can be seen. */
export const keyPathText = (path: KeyPath): string =>
  path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${/^[A-Za-z0-9_-]+$/.test(String(k)) ? String(k) : visible(String(k))}`))
    .join('');

/** A JSON string with invisible characters (a byte-order mark, zero-width spaces) spelled out. */
const visible = (text: string) =>
  JSON.stringify(text).replace(/[\p{Cf}\p{Zl}\p{Zp}\p{Cc}\u00a0]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

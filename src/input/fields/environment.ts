import { z } from 'zod';
import { fieldKinds } from './kinds.js';
import { osText } from './os-text.js';

/** The name of an environment variable. */
export const envName = z.string().regex(/^[^=\0]+$/, 'expected a variable name: not empty, without "=" or NUL bytes');

/** Environment variables: a `KEY: value` map or compose's `["KEY=value"]` list. */
export const environment = z
  .union([z.record(envName, z.union([osText, z.number(), z.boolean()])), z.array(osText)])
  .transform((value, ctx) => {
    const entries = !Array.isArray(value)
      ? Object.entries(value).map(([k, v]) => [k, String(v)] as const)
      : value.map((item) => {
          const at = item.indexOf('=');
          return at < 0 ? ([item, ''] as const) : ([item.slice(0, at), item.slice(at + 1)] as const);
        });
    for (const [i, [name]] of entries.entries()) {
      if (!envName.safeParse(name).success) {
        ctx.addIssue({ code: 'custom', path: [i], message: 'expected "NAME=value" with a non-empty NAME' });
        return z.NEVER;
      }
    }
    return Object.fromEntries(entries);
  });
fieldKinds.add(environment, { name: 'environment', written: 'a map (`KEY: value`) or, as in compose, a list of `KEY=value` strings' });

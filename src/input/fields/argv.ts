import { parse as parseShellWords } from 'shell-quote';
import { z } from 'zod';
import { fieldKinds } from './kinds.js';
import { osText } from './os-text.js';

/** An argument vector. A string is split like docker-compose does (quotes honoured), never run through a shell. */
export const argv = z
  .union([z.array(osText).min(1), osText.min(1)])
  .transform((value, ctx) => {
    if (Array.isArray(value)) return value;
    // shell-quote would expand $VAR from sigstorm's own environment (to "" when unset): no shell here, so refuse it.
    const variables: string[] = [];
    const words = parseShellWords(value, (name) => (variables.push(name), `$${name}`));
    if (variables.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected plain words: $${variables[0]} would not be expanded (there is no shell); write its value, or use an argument array`,
      });
      return z.NEVER;
    }
    if (!words.every((w): w is string => typeof w === 'string')) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected plain words: shell operators, globs and comments are not interpreted; use an argument array',
      });
      return z.NEVER;
    }
    return words;
  });
fieldKinds.add(argv, {
  name: 'command',
  written: 'a list of arguments (`[python3, app.py]`), or one string split into words as compose does (quotes honoured, no shell: no `$VAR`, pipes or globs)',
});

// systemd.service(5) "Command lines": an ExecStop= value as argument vectors. Specifiers (%) are resolved before
// the line is split, words are split with its quoting and C escapes, variables ($) are expanded per word.

/** The commands of one ExecStop= value (`;` separates several), or what is wrong with it. */
export function splitCommandLine(value: string): { commands: string[][] } | { error: string } {
  const specifier = /%(.)/.exec(value.replace(/%%/g, ''));
  if (specifier) return { error: `unit specifiers such as %${specifier[1]} are not expanded by sigstorm; write the value` };
  const words = splitWords(value.replace(/%%/g, '%'));
  if ('error' in words) return words;
  const commands: string[][] = [[]];
  for (const word of words.words) {
    if (word === SEPARATOR) commands.push([]);
    else commands.at(-1)!.push(word);
  }
  const result: string[][] = [];
  for (const command of commands) {
    const head = command[0] ?? '';
    const prefixes = /^[-@:+!]*/.exec(head)![0];
    const path = head.slice(prefixes.length);
    // "@": the next word is only argv[0] for the program; the program and its arguments are what is run.
    const args = command.slice(prefixes.includes('@') ? 2 : 1);
    if (path === '') return { error: 'expected a command after the prefixes, such as /bin/kill -TERM $MAINPID' };
    const argv: string[] = [];
    for (const word of [path, ...args]) {
      const expanded = expandVariables(word);
      if (typeof expanded !== 'string') return expanded;
      argv.push(expanded);
    }
    result.push(argv);
  }
  return { commands: result };
}

const SEPARATOR = Symbol('separator');

/** $MAINPID and ${MAINPID} are kept for the stop to fill in, "$$" is a "$"; any other variable is refused. */
function expandVariables(word: string): string | { error: string } {
  let unknown: string | undefined;
  const text = word.replace(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, braced?: string, bare?: string) => {
    if (all === '$$') return '$';
    const name = braced ?? bare!;
    if (name !== 'MAINPID') unknown ??= `$${braced === undefined ? name : `{${name}}`}`;
    return all;
  });
  return unknown ? { error: `${unknown} is not set by sigstorm (only $MAINPID is filled in); write its value` } : text;
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'", ';': ';' };

/** Whitespace-separated words with "…" and '…' quoting and C escapes; an unquoted lone ";" is a separator. */
function splitWords(line: string): { words: (string | typeof SEPARATOR)[] } | { error: string } {
  const words: (string | typeof SEPARATOR)[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let word = '';
    let quote: string | undefined;
    let plain = true;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote === undefined && /\s/.test(c)) break;
      if (c === '\\') {
        const escaped = escape(line, i + 1);
        if (!escaped) return { error: `expected an escape such as \\n, \\\\ or \\x41 at "${line.slice(i, i + 4)}"` };
        word += escaped.text;
        i += escaped.length;
        plain = false;
      } else if (quote === undefined && (c === '"' || c === "'")) {
        quote = c;
        plain = false;
      } else if (c === quote) {
        quote = undefined;
      } else {
        word += c;
      }
    }
    if (quote !== undefined) return { error: `expected a closing ${quote}` };
    words.push(plain && word === ';' ? SEPARATOR : word);
  }
  return { words };
}

/** The escape after a backslash at `at`: its text and how many characters it took. */
function escape(line: string, at: number): { text: string; length: number } | undefined {
  const c = line[at];
  if (c === undefined) return undefined;
  if (c in ESCAPES) return { text: ESCAPES[c]!, length: 1 };
  const hex = /^x([0-9a-fA-F]{2})|^u([0-9a-fA-F]{4})|^U([0-9a-fA-F]{8})/.exec(line.slice(at));
  if (hex) {
    const code = Number.parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16);
    return code <= 0x10ffff && code > 0 ? { text: String.fromCodePoint(code), length: hex[0].length } : undefined;
  }
  const octal = /^[0-7]{3}/.exec(line.slice(at));
  if (octal && Number.parseInt(octal[0], 8) > 0) return { text: String.fromCharCode(Number.parseInt(octal[0], 8)), length: 3 };
  return undefined;
}

import type { Problem } from './problem.js';
import { ScenarioError } from './scenario-error.js';
import { readText } from './text-file.js';

// The ini files teams keep their stop settings in, read line by line with positions kept. Two dialects:
// systemd.syntax(7) (`#`/`;` comment lines, `Key=Value`, a trailing backslash continues the line) and Python's
// ConfigParser as supervisord configures it (`key = value` or `key: value`, ` ;`/` #` inline comments, indented
// continuation lines, keys case-insensitive).

export type IniDialect = 'systemd' | 'supervisord';

/** One assignment, in file order (a key may repeat). `column` is where its value starts. */
export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
  column: number;
}

export interface IniFile {
  path: string;
  /** Each section header, in file order (a name may repeat). */
  sections: { name: string; line: number }[];
  entries: IniEntry[];
}

/** Reads and parses one ini file; `what` names it in the message when it cannot be read ("systemd unit"). */
export async function readIni(path: string, what: string, dialect: IniDialect): Promise<IniFile> {
  return parseIni(path, await readText(path, what), dialect);
}

export function parseIni(path: string, text: string, dialect: IniDialect): IniFile {
  const file: IniFile = { path, sections: [], entries: [] };
  const problems: Problem[] = [];
  const problem = (line: number, message: string) => problems.push({ file: path, line, keyPath: '', message });
  const rows = text.split(/\r?\n/);
  let section: string | undefined;
  // supervisord: the entry an indented line continues, and the indentation of its key.
  let open: { entry: IniEntry; indent: number } | undefined;
  for (let i = 0; i < rows.length; i++) {
    const number = i + 1;
    let row = rows[i]!;
    const indent = row.length - row.trimStart().length;
    if (dialect === 'systemd') {
      if (/^\s*[#;]/.test(row)) continue;
      // A trailing backslash joins the next line with a space; comment lines inside the continuation are skipped.
      while (/\\\s*$/.test(row) && i + 1 < rows.length) {
        const next = rows[++i]!;
        if (!/^\s*[#;]/.test(next)) row = `${row.replace(/\\\s*$/, ' ')}${next.trimStart()}`;
      }
      row = row.replace(/\\\s*$/, '');
    } else {
      row = withoutInlineComment(row);
      if (/^\s*[#;]/.test(row) || row.trim() === '') {
        if (row.trim() === '') open = undefined;
        continue;
      }
      if (open && indent > open.indent) {
        open.entry.value += `\n${row.trim()}`;
        continue;
      }
      open = undefined;
    }
    const trimmed = row.trim();
    if (trimmed === '') continue;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!;
      file.sections.push({ name: section, line: number });
      continue;
    }
    const at = dialect === 'systemd' ? row.indexOf('=') : row.search(/[=:]/);
    if (at <= indent) {
      problem(number, at < 0 ? `expected ${dialect === 'systemd' ? 'Key=Value' : 'key = value'}, a [section] or a comment` : 'expected a key before the "="');
      continue;
    }
    if (section === undefined && dialect === 'supervisord') {
      problem(number, 'expected a [section] header before the first key');
      continue;
    }
    const rawValue = row.slice(at + 1);
    const value = rawValue.trim();
    const key = row.slice(0, at).trim();
    const entry: IniEntry = {
      section: section ?? '',
      key: dialect === 'supervisord' ? key.toLowerCase() : key,
      value,
      line: number,
      column: at + 2 + (rawValue.length - rawValue.trimStart().length),
    };
    file.entries.push(entry);
    if (dialect === 'supervisord') open = { entry, indent };
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return file;
}

/** ConfigParser's inline comments as supervisord sets them: `;` or `#` after whitespace. */
const withoutInlineComment = (row: string): string => {
  const at = row.search(/\s[;#]/);
  return at < 0 ? row : row.slice(0, at);
};

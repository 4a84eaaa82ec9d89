// A first scenario as plain data: each key with the value chosen and why, and what could not be inferred. The
// source readers (compose.ts, dockerfile.ts, kubernetes.ts, systemd.ts, command.ts) fill it; render.ts writes it.

/** One key of the scenario, by its path (`['target', 'ready', 'http']`), with the reason it has this value. */
export interface Entry {
  path: string[];
  /** undefined: a comment on a section (its keys come in other entries). */
  value?: unknown;
  why?: string;
}

export interface Draft {
  /** What it was written from, e.g. "docker-compose.yml, service api". */
  source: string;
  entries: Entry[];
  /** What could not be inferred and was defaulted, each said in the output and in a comment. */
  unknowns: string[];
  /** What was read and looks wrong for signal handling (a shell-form ENTRYPOINT), said the same way. */
  warnings: string[];
}

export const emptyDraft = (source: string): Draft => ({ source, entries: [], unknowns: [], warnings: [] });

/** `file:line`, as a comment cites where a value was read. */
export const at = (file: string, line: number | undefined): string => (line ? `${file}:${line}` : file);

/** The draft with `entries` set (an entry of the same path is replaced in place) and `unknowns` added. */
export function withEntries(draft: Draft, entries: Entry[], unknowns: string[] = [], warnings: string[] = []): Draft {
  const out = [...draft.entries];
  for (const e of entries) {
    const i = out.findIndex((o) => o.path.join('.') === e.path.join('.'));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return { ...draft, entries: out, unknowns: [...draft.unknowns, ...unknowns], warnings: [...draft.warnings, ...warnings] };
}

/** Drops the entries at or below `path` (another source replaced that part). */
export const without = (draft: Draft, path: string[]): Draft => ({
  ...draft,
  entries: draft.entries.filter((e) => e.path.slice(0, path.length).join('.') !== path.join('.')),
});

/** The value an entry sets, if any. */
export const valueAt = (draft: Draft, path: string[]): unknown => draft.entries.find((e) => e.path.join('.') === path.join('.'))?.value;

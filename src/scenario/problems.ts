import type { z } from 'zod';
import { allowedKeys } from '../input/allowed-keys.js';
import { keyPathText, type KeyPath } from '../input/key-path.js';
import { locate } from '../input/locate.js';
import { mapping } from '../input/plain-data.js';
import type { Problem } from '../input/problem.js';
import { ScenarioError } from '../input/scenario-error.js';
import type { SourceFile } from '../input/yaml-source.js';
import { describeIssue } from '../input/zod-issue.js';
import type { ComposeService } from './compose.js';
import { scenarioSchema } from './schema/scenario.js';

/** The problems of one scenario, each placed where it is written: in the scenario, or in its compose file. */
export class ScenarioProblems {
  readonly found: Problem[] = [];

  constructor(
    private readonly source: SourceFile,
    private readonly compose?: ComposeService,
  ) {}

  /** A problem at a key path of the merged scenario; `keyOnly` points at the key rather than its value. */
  at(keyPath: KeyPath, message: string, keyOnly = false): void {
    // Keys inherited from the compose file are reported where they are written.
    const compose = this.compose;
    const dependency = keyPath[0] === 'dependencies' ? String(keyPath[1]) : undefined;
    const fromCompose =
      compose &&
      (dependency !== undefined
        ? keyPath.length === 2
          ? compose.dependencies.has(dependency) && !Object.hasOwn(mapping(mapping(this.source.value)?.dependencies) ?? {}, dependency)
          : compose.dependencies.get(dependency)?.has(String(keyPath[2]))
        : keyPath[0] === 'target' && compose.keys.has(String(keyPath[1])));
    const where = fromCompose ? compose.source : this.source;
    const located = !fromCompose
      ? keyPath
      : dependency !== undefined
        ? ['services', dependency, ...keyPath.slice(2)]
        : ['services', compose.service, ...keyPath.slice(1)];
    this.found.push({ file: where.path, ...locate(where, located, keyOnly), keyPath: keyPathText(located), message });
  }

  /** Every issue the schema found in `input`; an unknown key is named with the keys its mapping accepts. */
  schemaIssues(error: z.ZodError, input: unknown): void {
    for (const issue of error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const keys = allowedKeys(scenarioSchema(), issue.path, input);
        const message = keys.length ? `unknown key; expected one of: ${keys.join(', ')}` : 'unknown key';
        for (const key of issue.keys) this.at([...issue.path, key], message, true);
      } else {
        this.at(issue.path, describeIssue(issue));
      }
    }
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new ScenarioError(this.found);
  }
}

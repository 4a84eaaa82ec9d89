import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each test worker keeps its leftovers journals (and those of the CLIs it starts, which inherit the variable) in a
// directory of its own: what dead runs elsewhere on the machine left must not reach a test's output.
process.env.SIGSTORM_STATE_DIR ??= mkdtempSync(join(tmpdir(), 'sigstorm-test-state-'));

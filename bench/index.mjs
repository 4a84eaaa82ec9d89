// `npm run bench`: trial overhead, throughput, time to detect and shrink per zoo bug, the hand-written baseline, the
// overhead of a two-service stack trial, search power on the rare-window bugs, and the cost of a rollout trial.
// Writes reports/bench.json and reports/bench.md (parts not run this time keep their last results).
// Usage: npm run bench [-- --only overhead,throughput,detect,baseline,budget,stack,search,rollout] [--quick] [--seeds 3] [--budget 60] ...
// [--out reports/bench-other] writes <out>.json and <out>.md instead (e.g. for a before/after comparison).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseFlags, removeBenchContainers, table } from './lib.mjs';

const PARTS = ['overhead', 'throughput', 'detect', 'baseline', 'budget', 'stack', 'search', 'rollout'];
const flags = parseFlags(process.argv.slice(2));
const parts = flags.render ? [] : (flags.only ?? PARTS); // --render 1: only rewrite the Markdown from the JSON
for (const p of parts) if (!PARTS.includes(p)) throw new Error(`--only: unknown part ${p} (expected ${PARTS.join(', ')})`);

const outPath = flags.out ?? 'reports/bench';
const previous = existsSync(`${outPath}.json`) ? JSON.parse(readFileSync(`${outPath}.json`, 'utf8')) : { parts: {} };
const out = { ...previous, parts: { ...previous.parts } };
process.on('exit', () => removeBenchContainers());
for (const part of parts) {
  const started = Date.now();
  const mod = await import(`./${part}.mjs`);
  const { json, markdown } = await mod[part](flags);
  out.parts[part] = {
    ...json,
    markdown,
    ranAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    quick: flags.quick,
    machine: { cores: cpus().length, loadAverageAtEnd: loadavg().map((x) => +x.toFixed(2)) },
  };
  console.error(`${part}: ${out.parts[part].seconds} s`);
  save();
}
if (parts.length === 0) save();

function save() {
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(`${outPath}.json`, `${JSON.stringify(out, null, 2)}\n`);
  const md = PARTS.filter((p) => out.parts[p]).map((p) => {
    const r = out.parts[p];
    return `${r.markdown}\n\n_${p}: ran ${r.ranAt}, ${r.seconds} s${r.quick ? ', quick mode' : ''}, ${r.machine.cores} cores (shared; load average at end ${r.machine.loadAverageAtEnd.join(' ')})._`;
  });
  const versus = comparison(out.parts);
  writeFileSync(`${outPath}.md`, `# sigstorm bench\n\n${[...md, ...(versus ? [versus] : [])].join('\n\n')}\n`);
}

/** Bug by bug: the hand-written baseline's verdict next to sigstorm's campaigns. */
function comparison({ detect, baseline }) {
  if (!detect || !baseline) return undefined;
  const found = Object.fromEntries(detect.perBug.map((b) => [b.target, b]));
  const bugs = baseline.rows.filter((r) => r.bug);
  const bySigstorm = bugs.filter((r) => found[r.target] && !found[r.target].found.startsWith('0/')).length;
  return [
    `### Baseline vs sigstorm, bug by bug`,
    '',
    `The hand-written stop test catches **${baseline.caught} of ${baseline.bugs}** seeded bugs; sigstorm's campaigns find **${bySigstorm} of ${baseline.bugs}** (in every seed: ${bugs.filter((r) => found[r.target] && found[r.target].found.split('/')[0] === found[r.target].found.split('/')[1]).length}). False alarms on the twins: baseline ${baseline.falseAlarms} of ${baseline.twins}, sigstorm ${detect.twins.length ? `${detect.falsePositives.length} of ${detect.twins.length}` : 'not run'}.`,
    '',
    table(
      ['bug', 'baseline (exit code)', 'sigstorm (seeds found)', 'sigstorm signature'],
      bugs.map((r) => [r.target, `${r.caught ? 'caught' : 'missed'} (${r.exitCode})`, found[r.target]?.found ?? 'not run', found[r.target]?.signature ?? null]),
    ),
  ].join('\n');
}

// Compares the detection part of two bench reports (e.g. an older build via BENCH_DIST and --out, and this one):
// per bug, the median seconds to the first failure, to the minimal schedule and of the whole campaign, and the
// after/before ratio of the sums. Usage: node bench/compare.mjs reports/bench-before.json reports/bench.json
import { readFileSync } from 'node:fs';
import { round, table } from './lib.mjs';

const [beforePath, afterPath] = process.argv.slice(2);
const load = (path) => JSON.parse(readFileSync(path, 'utf8')).parts.detect;
const before = load(beforePath);
const after = load(afterPath);
const keys = [
  ['firstFailureS', 'first failure'],
  ['minimalS', 'minimal schedule'],
  ['totalS', 'campaign'],
];
const byBug = (part) => Object.fromEntries(part.perBug.map((b) => [b.target, b]));
const b = byBug(before);
const a = byBug(after);
const bugs = Object.keys(a).filter((t) => b[t]);
const sum = (m, k) => bugs.reduce((s, t) => s + (m[t][k] ?? 0), 0);
const rows = bugs.map((t) => [t, ...keys.flatMap(([k]) => [b[t][k], a[t][k]])]);
rows.push(['**sum of medians**', ...keys.flatMap(([k]) => [round(sum(b, k), 1), round(sum(a, k), 1)])]);
rows.push(['**after ÷ before**', ...keys.flatMap(([k]) => ['', round(sum(a, k) / sum(b, k), 2)])]);
console.log(`Detection, before (${before.build}, seeds ${before.settings.seeds.join(',')}) vs after (${after.build}, seeds ${after.settings.seeds.join(',')}), median seconds:\n`);
console.log(table(['bug', ...keys.flatMap(([, name]) => [`${name} before`, `${name} after`])], rows));

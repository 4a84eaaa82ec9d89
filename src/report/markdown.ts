import { stopModelNamed } from '../stop-models/registry.js';
import { describeStop } from './stop-steps.js';
import { describeCells } from './explored-text.js';
import { describeDiagnosis, describeReproduction } from './failure-text.js';
import type { Reproduction } from './fuzz-report.js';
import { shardLabel, type ResultSet, type ScenarioResult } from './result.js';
import { policyNote, serverSignalNotes, untestedSignals } from '../scenario/coverage.js';

const ICON: Record<ScenarioResult['verdict'], string> = { pass: '✅', fail: '❌', unknown: '⚠️', skipped: '⏭️' };

/** A Markdown summary of a result set (for $GITHUB_STEP_SUMMARY, merge-request notes, chat). */
export function toMarkdown(set: ResultSet): string {
  const { counts } = set;
  const lines: string[] = [];
  const tally = [
    `${counts.failed} failed`,
    `${counts.passed} passed`,
    counts.unknown ? `${counts.unknown} without a verdict` : '',
    counts.skipped ? `${counts.skipped} skipped` : '',
  ].filter(Boolean);
  lines.push(`## sigstorm: ${set.verdict.toUpperCase()} — ${counts.total} scenario(s): ${tally.join(', ')}`, '');
  const facts = [
    `exit status ${set.exitCode}`,
    set.shards.length ? shardLabel(set.shards) : '',
    set.baseSeed !== undefined ? `base seed ${set.baseSeed}` : '',
    `${(set.durationMs / 1000).toFixed(1)} s`,
    set.interrupted ? 'interrupted' : '',
    set.missingShards?.length ? `**missing: ${shardLabel(set.missingShards)}**` : '',
  ].filter(Boolean);
  lines.push(facts.join(' · '), '');
  lines.push('| | scenario | command | backend | seed | trials | explored | time | result |', '|---|---|---|---|---|---:|---:|---:|---|');
  for (const s of set.scenarios) {
    const result = s.fix
      ? s.fix.message.replace(/:.*$/, '')
      : s.verdict === 'fail'
        ? s.failures.map((f) => `\`${f.oracle}/${f.kind ?? 'fail'}\``).join(' ')
        : s.verdict === 'pass'
          ? 'held'
          : (s.error?.message ?? 'no verdict');
    lines.push(
      `| ${ICON[s.verdict]} | ${cell(s.scenario.name)} | ${s.command} | ${s.backend ?? ''} | ${s.seed ?? ''} | ${s.trialsRun} | ${s.explored ? describeCells(s.explored) : ''} | ${(s.durationMs / 1000).toFixed(1)} s | ${cell(result)} |`,
    );
  }
  const noted = set.scenarios.filter((s) => untestedSignals(s.coverage).length);
  if (noted.length) {
    lines.push('', '**Not tested** (signals that orchestrators send and these scenarios do not declare; never a failure):', '');
    for (const s of noted) for (const n of untestedSignals(s.coverage)) lines.push(`- ${cell(s.scenario.name)}: \`${n.signal}\` — ${inline(n.sentBy)}; ${inline(n.hint)}`);
  }
  const policies = set.scenarios.flatMap((s) => {
    const note = policyNote(s.coverage);
    return note ? [`- ${cell(s.scenario.name)}: ${inline(note.message)}`] : [];
  });
  if (policies.length) lines.push('', '**Second-signal policy** (what a repeated stop signal during the drain was judged by):', '', ...policies);
  const servers = set.scenarios.flatMap((s) => serverSignalNotes(s.coverage).map((n) => `- ${cell(s.scenario.name)}: ${inline(n.message)}`));
  if (servers.length) lines.push('', '**Server signals** (what the server\'s documentation says of the expected signals; never a failure):', '', ...servers);
  for (const s of set.scenarios.filter((x) => x.verdict === 'fail' || (x.verdict === 'unknown' && x.error) || x.fix)) {
    lines.push('', `### ${ICON[s.verdict]} ${s.scenario.name}`, '', `\`${s.scenario.path}\``, '');
    if (s.error) lines.push(`${s.error.kind}: ${s.error.message}`, '');
    if (s.steps.length) {
      lines.push(s.command === 'fuzz' ? `Minimal failing schedule (${s.steps.length} event(s)):` : `Schedule (${s.steps.length} event(s)):`, '');
      lines.push('```', ...s.steps, '```', '');
    }
    // The orchestrator's stop as the failing trial played it: hook, signals, endpoints, final kill.
    if (s.trial?.stop && (stopModelNamed(s.trial.stop.model)?.stepsInReports ?? true)) lines.push('Stop sequence:', '', '```', ...describeStop(s.trial.stop), '```', '');
    if (s.fix) {
      lines.push(...rates([['recorded', s.fix.before], ['now', s.fix.now]]), '', `**${inline(s.fix.message)}**`, '');
    } else if (s.reproduction && s.firstReproduction) {
      lines.push(...rates([[s.firstReproduction.fromEstimate ? 'first failing schedule (estimate)' : 'first failing schedule (estimate and confirmation)', s.firstReproduction], ['minimal schedule (confirmation)', s.reproduction]]), '');
    } else if (s.reproduction) lines.push(`It ${describeReproduction(s.reproduction)}.`, '');
    if (s.cut) lines.push(`Cut: ${inline(s.cut)}.`, '');
    for (const f of s.failures) {
      lines.push(`- **${f.oracle}** (\`${f.kind ?? 'fail'}\`): ${inline(f.message)}`);
      if (f.diagnosis) lines.push(`  ${f.diagnosis.id === 'unknown' ? '' : '*'}${inline(describeDiagnosis(f.diagnosis))}${f.diagnosis.id === 'unknown' ? '' : '*'}`);
      if (f.evidence) lines.push(`  <details><summary>evidence</summary>\n\n  \`\`\`json\n  ${JSON.stringify(f.evidence)}\n  \`\`\`\n  </details>`);
    }
    if (s.failures.length) lines.push('');
    if (s.replay) lines.push('Replay:', '', '```sh', s.replay, '```', '');
    if (s.reportPath) lines.push(`Report: \`${s.reportPath}\``);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Rates side by side with their intervals, one row each. */
const rates = (rows: [string, Reproduction][]): string[] => [
  '| | failed | rate | 95% interval |',
  '|---|---:|---:|---|',
  ...rows.map(([label, r]) => `| ${label} | ${r.failed}/${r.runs} | ${Math.round(r.rate * 100)}% | ${Math.round(r.interval.low * 100)}%–${Math.round(r.interval.high * 100)}% |`),
];

/** Table cells may hold neither pipes nor line breaks. */
const cell = (text: string) => inline(text).replace(/\|/g, '\\|');
const inline = (text: string) => text.replace(/\s*\n\s*/g, ' ');

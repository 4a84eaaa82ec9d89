import { describeStatus, killer } from '../oracles/terminating.js';
import { describeDiagnosis, describeFirstReproduction, describeReproduction } from './failure-text.js';
import { describeCells } from './explored-text.js';
import { shardLabel, type ResultSet, type ScenarioResult } from './result.js';
import type { TrialRecord } from '../trial/record.js';
import { describeTiming } from '../trial/timing.js';
import { describeStop } from './stop-steps.js';
import type { FixCheck } from './fuzz-report.js';
import { esc, ledgerSummary, sharedRange, timelineSvg, type TimeRange } from './timeline.js';
import { policyNote, serverSignalNotes, untestedSignals } from '../scenario/coverage.js';

/**
 * A self-contained HTML report of a result set: inline CSS and SVG, no script, no fonts, nothing fetched. Each
 * scenario with a trial gets its timeline (the minimal failing trial of a campaign, or the one trial of a run); a
 * flaky schedule gets a passing trial of it below the failing one, on the same time axis.
 */
export function toHtml(set: ResultSet, title = 'sigstorm report'): string {
  const { counts } = set;
  const facts = [
    `${counts.total} scenario(s): ${counts.failed} failed, ${counts.passed} passed${counts.unknown ? `, ${counts.unknown} without a verdict` : ''}${counts.skipped ? `, ${counts.skipped} skipped` : ''}`,
    `exit status ${set.exitCode}`,
    set.shards.length ? shardLabel(set.shards) : '',
    set.missingShards?.length ? `missing: ${shardLabel(set.missingShards)}` : '',
    set.baseSeed !== undefined ? `base seed ${set.baseSeed}` : '',
    `${(set.durationMs / 1000).toFixed(1)} s`,
    `sigstorm ${set.tool.version}`,
    set.createdAt,
  ].filter(Boolean);
  const rows = set.scenarios
    .map(
      (s) =>
        `<tr class="${s.verdict}"><td><span class="badge ${s.verdict}">${s.verdict}</span></td><td><a href="#${anchor(s)}">${esc(s.scenario.name)}</a></td>` +
        `<td>${s.command}</td><td>${esc(s.backend ?? '')}</td><td>${s.seed ?? ''}</td><td class="num">${s.trialsRun}</td>` +
        `<td class="num">${(s.durationMs / 1000).toFixed(1)} s</td><td>${esc(summaryOf(s))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${esc(title)}: ${set.verdict.toUpperCase()}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1><span class="badge ${set.verdict}">${set.verdict.toUpperCase()}</span> ${esc(title)}</h1><p class="facts">${facts.map(esc).join(' · ')}</p></header>
<table class="scenarios">
<thead><tr><th></th><th>scenario</th><th>command</th><th>backend</th><th>seed</th><th>trials</th><th>time</th><th>result</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${set.scenarios.map(section).join('\n')}
</body>
</html>
`;
}

function section(s: ScenarioResult): string {
  const out: string[] = [`<section class="scenario ${s.verdict}" id="${anchor(s)}" data-scenario="${esc(s.scenario.name)}">`];
  out.push(`<h2><span class="badge ${s.verdict}">${s.verdict}</span> ${esc(s.scenario.name)} <small>${esc(s.scenario.path)}</small></h2>`);
  const meta = [s.command, s.backend && `${s.backend} backend`, s.seed != null && `seed ${s.seed}`, `${s.trialsRun} trial(s)`, s.schedulesTried !== undefined && `${s.schedulesTried} schedule(s)`, s.explored && `explored ${describeCells(s.explored)} of the fault space`]
    .filter(Boolean)
    .join(' · ');
  out.push(`<p class="facts">${esc(meta)}</p>`);
  if (s.error) out.push(`<p class="error">${esc(`${s.error.kind}: ${s.error.message}`)}</p>`);
  if (s.steps.length) {
    const heading = s.command === 'fuzz' ? 'Minimal failing schedule' : 'Schedule';
    out.push(`<h3>${heading}</h3><ol class="steps">${s.steps.map((step) => `<li><code>${esc(step)}</code></li>`).join('')}</ol>`);
  }
  if (s.fix) out.push(fixTable(s.fix));
  else if (s.reproduction) out.push(`<p>It ${esc(describeReproduction(s.reproduction))}${s.firstReproduction ? `; ${esc(describeFirstReproduction(s.firstReproduction))}` : ''}.</p>`);
  if (s.cut) out.push(`<p class="cut">Cut: ${esc(s.cut)}.</p>`);
  if (s.failures.length) {
    out.push('<h3>Failing oracles</h3><ul class="failures">');
    for (const f of s.failures) {
      const evidence = f.evidence ? `<details><summary>evidence</summary><pre>${esc(JSON.stringify(f.evidence, null, 2))}</pre></details>` : '';
      const diagnosis = f.diagnosis ? `<p class="diagnosis" data-diagnosis="${esc(f.diagnosis.id)}">${esc(describeDiagnosis(f.diagnosis))}</p>` : '';
      out.push(`<li><b>${esc(f.oracle)}</b> <code>${esc(f.kind ?? 'fail')}</code>: ${esc(f.message)}${diagnosis}${evidence}</li>`);
    }
    out.push('</ul>');
  }
  const untested = untestedSignals(s.coverage);
  if (untested.length) {
    out.push(`<h3>Not tested</h3><ul class="coverage">${untested.map((n) => `<li data-signal="${esc(n.signal)}"><code>${esc(n.signal)}</code> — ${esc(n.sentBy)}; ${esc(n.hint)}</li>`).join('')}</ul>`);
  }
  const policy = policyNote(s.coverage);
  if (policy) out.push(`<h3>Second signal</h3><p class="coverage policy" data-policy="${esc(policy.policy)}" data-declared="${policy.declared}">${esc(policy.message)}</p>`);
  const servers = serverSignalNotes(s.coverage);
  if (servers.length) out.push(`<h3>Server signals</h3><ul class="coverage">${servers.map((n) => `<li data-server="${esc(n.server)}" data-signal="${esc(n.signal)}">${esc(n.message)}</li>`).join('')}</ul>`);
  if (s.replay && s.verdict !== 'pass') out.push(`<h3>Replay</h3><pre class="replay">${esc(s.replay)}</pre>`);
  if (s.trial && s.passingTrial) {
    // One axis for both: where the signal fell against the drain, and which requests were in flight, line up.
    const range = sharedRange([s.trial, s.passingTrial]);
    out.push(
      '<h3>Timeline: failing and passing</h3><p class="caption">Both trials ran the same schedule; they share one time axis.</p>',
      trialFigure(s.trial, 'Failing trial', range, 'failing'),
      trialFigure(s.passingTrial, 'Passing trial', range, 'passing'),
    );
  } else if (s.trial) {
    const caption = { fuzz: 'One trial of the minimal failing schedule', replay: 'One trial of the replayed schedule', run: 'The trial' }[s.command];
    out.push('<h3>Timeline</h3>', trialFigure(s.trial, caption));
  }
  if (s.reportPath) out.push(`<p class="facts">report: <code>${esc(s.reportPath)}</code></p>`);
  out.push('</section>');
  return out.join('\n');
}

/** One trial's caption, timeline (on `range`, or its own) and output. */
function trialFigure(t: TrialRecord, caption: string, range?: TimeRange, kind?: 'failing' | 'passing'): string {
  const out = [
    `<figure class="trial${kind ? ` ${kind}` : ''}"><p class="caption">${esc(caption)}: ready ${Math.round(t.spawnToReadyMs)} ms after start; ${t.events.length} event(s), ${ledgerSummary(t.ledger)}, ` +
      `exit ${esc(describeStatus(t.exit.status))} at +${Math.round(t.exit.atMs)} ms${t.exit.forcedKill ? ` after ${esc(killer(t))}’s SIGKILL` : ''}. Hover a bar or marker for its details.</p>`,
    `<div class="plot">${timelineSvg(t, range)}</div>`,
  ];
  if (t.stop) out.push(`<pre class="stop">${esc(describeStop(t.stop).join('\n'))}</pre>`);
  if (t.timing) out.push(`<p class="timing">${esc(describeTiming(t.timing))}</p>`);
  if (t.logs.length) {
    const last = t.logs.slice(-40);
    out.push(
      `<details><summary>target output (last ${last.length} of ${t.logs.length} lines)</summary><pre class="logs">${last
        .map((l) => `${esc(`+${Math.round(l.atMs)} ms ${l.stream === 'stderr' ? '!' : ' '} ${l.text}`)}`)
        .join('\n')}</pre></details>`,
    );
  }
  out.push('</figure>');
  return out.join('\n');
}

/** `replay --against`: both rates with their intervals, and the decision. */
function fixTable(f: FixCheck): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const row = (label: string, r: FixCheck['now']) =>
    `<tr><td>${label}</td><td class="num">${r.failed}/${r.runs}</td><td class="num">${pct(r.rate)}</td><td>${pct(r.interval.low)}–${pct(r.interval.high)}</td></tr>`;
  return (
    `<table class="fix" data-decision="${f.decision}"><thead><tr><th></th><th>failed</th><th>rate</th><th>95% interval</th></tr></thead>` +
    `<tbody>${row('recorded', f.before)}${row('now', f.now)}</tbody></table><p class="decision ${f.decision}"><b>${esc(f.message)}</b></p>`
  );
}

function summaryOf(s: ScenarioResult): string {
  if (s.fix) return s.fix.message.replace(/:.*$/, '');
  if (s.verdict === 'fail') return s.failures.map((f) => `${f.oracle}/${f.kind ?? 'fail'}`).join(', ');
  if (s.verdict === 'pass') return 'held';
  return s.error?.message ?? 'no verdict';
}

const anchor = (s: ScenarioResult) => `s-${s.scenario.path.replace(/[^\w-]+/g, '-')}`;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#212121;margin:24px auto;max-width:1140px;padding:0 16px;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 4px}h2 small{font-weight:400;color:#757575;font-size:13px}h3{font-size:14px;margin:14px 0 6px}
.facts{color:#616161;margin:2px 0 10px}.caption{color:#616161;margin:0 0 6px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;text-transform:uppercase;color:#fff;vertical-align:middle}
.badge.pass{background:#2e7d32}.badge.fail{background:#c62828}.badge.unknown{background:#ef6c00}.badge.skipped{background:#9e9e9e}
table.scenarios{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 20px}
table.scenarios th,table.scenarios td{border-bottom:1px solid #e0e0e0;padding:5px 8px;text-align:left}td.num{text-align:right}
section.scenario{background:#fff;border:1px solid #e0e0e0;border-left:4px solid #9e9e9e;border-radius:4px;padding:14px 16px;margin:0 0 18px}
section.scenario.fail{border-left-color:#c62828}section.scenario.pass{border-left-color:#2e7d32}section.scenario.unknown{border-left-color:#ef6c00}
ol.steps{margin:0;padding-left:22px}ul.failures{padding-left:20px}p.diagnosis{margin:4px 0;color:#4a148c}ul.coverage{padding-left:20px;color:#616161}
pre{background:#f5f5f5;border:1px solid #e0e0e0;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
pre.replay{background:#263238;color:#eceff1;border:0}.error{color:#c62828}
.plot{overflow-x:auto;border:1px solid #e0e0e0}.plot svg{display:block}
figure.trial{margin:0 0 12px}figure.trial.passing .plot{border-color:#2e7d32}figure.trial.failing .plot{border-color:#c62828}
table.fix{border-collapse:collapse;margin:4px 0}table.fix th,table.fix td{border-bottom:1px solid #e0e0e0;padding:3px 10px;text-align:left}
.decision.fixed{color:#2e7d32}.decision.still-failing{color:#c62828}.decision.undecided{color:#ef6c00}
`;

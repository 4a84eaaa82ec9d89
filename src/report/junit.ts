import { create } from 'xmlbuilder2';
import { coverageLines, describeFirstReproduction, describeReproduction, failureText, fixLines } from './failure-text.js';
import { shardLabel, type ResultSet } from './result.js';

/**
 * JUnit XML of a result set, as GitHub Actions reporters, GitLab and Jenkins read it: one testsuite, one testcase
 * per scenario; a failure carries the minimal schedule, the evidence and the replay command; a scenario without a
 * verdict is an error, one left out by --fail-fast is skipped.
 */
export function toJUnit(set: ResultSet): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  // The one suite and its wrapper carry the same totals.
  const totals = {
    name: 'sigstorm',
    tests: set.counts.total,
    failures: set.counts.failed,
    errors: set.counts.unknown,
    skipped: set.counts.skipped,
    time: seconds(set.durationMs),
  };
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', totals);
  const suite = root.ele('testsuite', { ...totals, timestamp: set.createdAt.replace(/\.\d+Z$/, '') });
  const properties = suite.ele('properties');
  const property = (name: string, value: string | number) => properties.ele('property', { name, value: String(value) });
  property('verdict', set.verdict);
  property('exitCode', set.exitCode);
  property('sigstorm.version', set.tool.version);
  if (set.shards.length) property('shards', shardLabel(set.shards));
  if (set.missingShards?.length) property('missingShards', shardLabel(set.missingShards));
  if (set.baseSeed !== undefined) property('baseSeed', set.baseSeed);

  for (const s of set.scenarios) {
    const testcase = suite.ele('testcase', {
      name: s.scenario.name,
      classname: `sigstorm.${s.command}`,
      file: s.scenario.path,
      time: seconds(s.durationMs),
    });
    if (s.verdict === 'fail') {
      const first = s.failures[0];
      testcase
        .ele('failure', {
          message: clean(first ? `${first.oracle}: ${first.message}` : 'an expectation failed'),
          type: first ? `${first.oracle}/${first.kind ?? 'fail'}` : 'fail',
        })
        .txt(clean(failureText(s)));
    } else if (s.verdict === 'skipped') {
      testcase.ele('skipped', { message: clean(s.error?.message ?? 'skipped') });
    } else if (s.verdict === 'unknown') {
      testcase.ele('error', { message: clean(s.error?.message ?? 'no verdict'), type: s.error?.kind ?? 'unknown' }).txt(clean(failureText(s)));
    }
    const out = [
      `${s.verdict.toUpperCase()} ${s.scenario.name} (${s.command}${s.backend ? `, ${s.backend} backend` : ''}${s.seed != null ? `, seed ${s.seed}` : ''}, ${s.trialsRun} trial(s))`,
      ...(s.fix ? fixLines(s.fix) : s.reproduction ? [describeReproduction(s.reproduction)] : []),
      ...(!s.fix && s.firstReproduction ? [describeFirstReproduction(s.firstReproduction)] : []),
      s.cut ? `cut: ${s.cut}` : '',
      s.reportPath ? `report: ${s.reportPath}` : '',
      ...coverageLines(s),
    ].filter(Boolean);
    testcase.ele('system-out').txt(clean(out.join('\n')));
  }
  return root.end({ prettyPrint: true });
}

/** XML 1.0 cannot hold most control characters (a target's output may have them). */
const clean = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '�');

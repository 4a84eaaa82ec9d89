/** What is wrong with one zoo row: a bug not caught by its intended oracle, a twin that failed, a wrong status. */
export function checkZooRow(report, expected) {
  const problems = [];
  const failing = report.failures.map((f) => `${f.oracle}/${f.kind}`);
  if (expected.oracle) {
    if (report.verdict !== 'fail') problems.push(`expected a failure, got ${report.verdict}`);
    if (!failing.includes(expected.oracle)) problems.push(`expected ${expected.oracle} among the failures, got ${failing.join(', ') || 'none'}`);
  } else if (report.verdict !== 'pass') {
    problems.push(`the twin must pass, got ${report.verdict}: ${failing.join(', ')}`);
  }
  if (expected.status !== undefined && report.trial?.exit.status !== expected.status) {
    problems.push(`expected exit status ${expected.status}, got ${report.trial?.exit.status}`);
  }
  return problems;
}

/**
 * What is wrong with one zoo row: a bug not caught by its intended oracle, or whose failure there did not get the
 * diagnosis the row names (the backend's own, `expected.diagnosis`, where the same bug shows differently there); a twin
 * that failed, or carries any diagnosis; a wrong status.
 */
export function checkZooRow(report, expected, rowDiagnosis) {
  const problems = [];
  const diagnosis = expected.diagnosis ?? rowDiagnosis;
  const failing = report.failures.map((f) => `${f.oracle}/${f.kind}`);
  if (expected.oracle) {
    if (report.verdict !== 'fail') problems.push(`expected a failure, got ${report.verdict}`);
    if (!failing.includes(expected.oracle)) problems.push(`expected ${expected.oracle} among the failures, got ${failing.join(', ') || 'none'}`);
    const got = report.failures.find((f) => `${f.oracle}/${f.kind}` === expected.oracle)?.diagnosis?.id;
    if (diagnosis && failing.includes(expected.oracle) && got !== diagnosis) problems.push(`expected the diagnosis ${diagnosis} for ${expected.oracle}, got ${got}`);
  } else if (report.verdict !== 'pass') {
    problems.push(`the twin must pass, got ${report.verdict}: ${failing.join(', ')}`);
  }
  const diagnosed = report.results.filter((r) => r.diagnosis && r.verdict !== 'fail');
  if (diagnosed.length) problems.push(`diagnoses on results that did not fail: ${diagnosed.map((r) => r.oracle).join(', ')}`);
  if (expected.status !== undefined && report.trial?.exit.status !== expected.status) {
    problems.push(`expected exit status ${expected.status}, got ${report.trial?.exit.status}`);
  }
  return problems;
}

/**
 * What a matrix row runs: its scenario file, or, when the row has `env` (settings that put a rare bug's window at a
 * known instant, for the matrix's hand-written schedule only), the scenario loaded by `load` with those variables
 * given to the target in both its forms. Campaigns and benchmarks fuzz the file as it is.
 */
export async function matrixScenario(target, load) {
  const path = `scenarios/${target.scenario}.yml`;
  if (!target.env) return path;
  const scenario = await load(path);
  const { process: proc, container } = scenario.target;
  const form = {
    ...(proc ? { process: { ...proc, env: { ...proc.env, ...target.env } } } : {}),
    ...(container ? { container: { ...container, environment: { ...container.environment, ...target.env } } } : {}),
  };
  return { ...scenario, target: { ...scenario.target, ...form } };
}

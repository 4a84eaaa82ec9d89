// The architecture's rules, checked by test/unit/architecture.test.ts in `npm test`. Layers, one way only:
// cli → session → fuzz / trial / report → faults, workload, oracles, probes → backends → leftovers → host,
// and under all of them the plain data: scenario, schedule, input, stop-models.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles, type-only imports included: each module can be read after the ones it imports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'oracles-are-pure',
      comment: 'Oracles judge a plain record: nothing they reach may touch Docker, processes, YAML or the file system.',
      severity: 'error',
      from: { path: '^src/oracles/' },
      to: {
        reachable: true,
        path: '(^|/)node_modules/(testcontainers|dockerode|docker-modem|execa|yaml)/|^(node:)?(fs|fs/promises|child_process|net|http)$',
      },
    },
    {
      name: 'fuzz-runs-no-backend',
      comment: 'The fuzzer drives a trial function; which backend runs it is the session\'s choice.',
      severity: 'error',
      from: { path: '^src/fuzz/' },
      to: { path: '^src/backends/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-the-cli-parses-argv',
      comment: 'yargs belongs to the command line; the library takes plain options.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '(^|/)node_modules/yargs/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'lower-layers-stay-low',
      comment: 'Backends, leftovers and host helpers know nothing of trials, campaigns, sessions or reports.',
      severity: 'error',
      from: { path: '^src/(backends|leftovers|host)/' },
      to: { path: '^src/(session|fuzz|trial|report|oracles|workload|faults/player)' },
    },
    {
      name: 'plain-data-imports-no-machinery',
      comment: 'The input layer, the scenario and the schedule are data and their parsing: nothing that runs a trial.',
      severity: 'error',
      from: { path: '^src/(input|scenario|schedule)/' },
      to: { path: '^src/(backends|faults|workload|probes|trial|oracles|fuzz|session|report|leftovers|gc|host)/' },
    },
    {
      name: 'stop-models-are-plain-data',
      comment: 'A stop model is data, pure functions and the reader of its file: nothing that runs a trial (the trial plays its plan).',
      severity: 'error',
      from: { path: '^src/stop-models/' },
      to: { path: '^src/(backends|faults|workload|probes|trial|oracles|fuzz|session|report|leftovers|gc|host|cli)/' },
    },
    {
      name: 'stop-models-through-the-registry',
      comment: 'Adding a stop model is one module and one registration line: the rest asks the registry (model.ts, registry.ts), never a model by name.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/stop-models/' },
      to: { path: '^src/stop-models/', pathNot: '^src/stop-models/(model|registry|files)\\.ts$' },
    },
    {
      name: 'stop-model-files-read-by-the-loader',
      comment: 'The models\' file readers reach YAML and the file system: only the scenario loader uses them (the oracles ask the registry).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(stop-models|scenario)/' },
      to: { path: '^src/stop-models/files\\.ts$' },
    },
    {
      name: 'oracles-read-records',
      comment: 'An oracle sees a finished trial record (and its ledger), never the machinery that made it.',
      severity: 'error',
      from: { path: '^src/oracles/' },
      to: { path: '^src/(backends|faults|probes|fuzz|session|report|leftovers|gc|cli)/|^src/trial/(?!record)|^src/workload/(?!ledger)' },
    },
    {
      name: 'trials-are-judged-above',
      comment: 'A trial records; the session judges it and the report renders it.',
      severity: 'error',
      from: { path: '^src/trial/' },
      to: { path: '^src/(oracles|fuzz|session|report|cli)/' },
    },
    {
      name: 'host-is-the-bottom',
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^src/(backends|leftovers|gc|probes|faults|workload)/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|test|bench|scripts)/' },
  },
};

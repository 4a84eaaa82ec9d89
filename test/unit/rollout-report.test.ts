import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inRotation } from '../../src/report/timeline-replicas.js';
import { timelineSvg } from '../../src/report/timeline.js';
import type { TrialRecord } from '../../src/trial/record.js';

// A rollout's timeline: its replicas as lanes, solid while in the balancer's rotation (a saved record of the zoo's bug).

const record = JSON.parse(readFileSync('test/fixtures/rollout/endpoint-lag.json', 'utf8')) as TrialRecord;

describe("a rollout's timeline", () => {
  it('draws a lane per replica, with the rotation spans the record measured', () => {
    const svg = timelineSvg(record);
    const lanes = [...svg.matchAll(/<g class="replica-lane" data-replica="([^"]+)">/g)].map((m) => m[1]);
    expect(lanes).toEqual(record.rollout!.replicas.map((l) => l.name));
    expect(svg).toContain('rollout done +');
    // v1-1 stayed in rotation until the endpoint lag was over, after it had exited: the bug, drawn.
    const v11 = record.rollout!.replicas.find((l) => l.name === 'v1-1')!;
    const [[from, to]] = inRotation(record.rollout!, 'v1-1', 10_000) as [[number, number]];
    expect(from).toBeLessThan(0);
    expect(to).toBeGreaterThan(v11.exitMs!);
    expect(to - v11.stopBeganMs!).toBeGreaterThanOrEqual(v11.endpointLagMs!);
  });

  it('draws no lanes for a single target', () => {
    const { rollout: _, ...single } = record;
    expect(timelineSvg(single as TrialRecord)).not.toContain('replica-lane');
  });
});

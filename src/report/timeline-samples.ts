import type { TrialRecord } from '../trial/record.js';
import { f, FONT } from './svg.js';
import { LEFT, PLOT } from './timeline-layout.js';

/** The main process's open fds and the target's process count, each on its own scale (left: fds, right: processes). */
export function samplesPanel(record: TrialRecord, x: (ms: number) => number, top: number, height: number): string {
  const mainPid = record.target.pid;
  const points = record.samples.map((s) => {
    const main = s.processes.find((p) => p.pid === mainPid) ?? s.processes[0];
    const kinds = main?.fdKinds ? ` (${Object.entries(main.fdKinds).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
    return { atMs: s.atMs, fds: main?.fds ?? null, kinds, processes: s.processes.filter((p) => p.state !== 'Z').length, zombies: s.processes.filter((p) => p.state === 'Z').length };
  });
  // Scales with room above the highest value, and different for the two lines, so flat lines do not hide each other.
  const maxFds = Math.ceil(Math.max(1, ...points.map((p) => p.fds ?? 0)) * 1.25);
  const maxProcs = Math.max(1, ...points.map((p) => p.processes + p.zombies)) + 1;
  // Headroom at the top for the scale labels.
  const yFds = (v: number) => top + height - (v / maxFds) * (height - 18);
  const yProcs = (v: number) => top + height - (v / maxProcs) * (height - 18);
  const out: string[] = [`<g class="samples" data-samples="${points.length}">`];
  out.push(`<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${height}" fill="none" stroke="#e0e0e0"/>`);
  out.push(`<text x="8" y="${top + 11}" ${FONT} font-weight="600">/proc samples</text>`);
  out.push(`<text x="8" y="${top + 26}" fill="#00838f" ${FONT}>— open fds (main)</text>`);
  out.push(`<text x="8" y="${top + 40}" fill="#6a1b9a" ${FONT}>— processes</text>`);
  out.push(`<text x="${LEFT + 6}" y="${top + 11}" fill="#00838f" ${FONT}>open fds, scale 0–${maxFds}</text>`);
  out.push(`<text x="${LEFT + PLOT - 4}" y="${top + 11}" text-anchor="end" fill="#6a1b9a" ${FONT}>processes, scale 0–${maxProcs}</text>`);
  out.push(`<text x="${LEFT + 6}" y="${top + height - 3}" fill="#00838f" ${FONT}>0</text>`);
  const fdPoints = points.filter((p) => p.fds !== null);
  if (fdPoints.length) {
    out.push(`<polyline class="fds" fill="none" stroke="#00838f" stroke-width="1.6" points="${fdPoints.map((p) => `${f(x(p.atMs))},${f(yFds(p.fds!))}`).join(' ')}"/>`);
  }
  out.push(`<polyline class="processes" fill="none" stroke="#6a1b9a" stroke-width="1.6" stroke-dasharray="4 2" points="${points.map((p) => `${f(x(p.atMs))},${f(yProcs(p.processes))}`).join(' ')}"/>`);
  for (const p of points) {
    out.push(
      `<circle class="sample" cx="${f(x(p.atMs))}" cy="${f(yProcs(p.processes))}" r="${p.zombies ? 3.5 : 1.8}" fill="${p.zombies ? '#d50000' : '#6a1b9a'}">` +
        `<title>+${Math.round(p.atMs)} ms: ${p.processes} process(es)${p.zombies ? `, ${p.zombies} zombie(s)` : ''}, main fds ${p.fds ?? '?'}${p.kinds}</title></circle>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

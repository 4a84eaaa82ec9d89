/** Resources sigstorm created and must not leave behind, even when it exits abruptly. */
export type Resource = { kind: 'process-group'; pgid: number } | { kind: 'container'; id: string; remove: () => Promise<void> };

const live = new Set<Resource>();

export function track(resource: Resource): () => void {
  live.add(resource);
  return () => live.delete(resource);
}

/** Removes everything still tracked (containers asynchronously, process groups at once). */
export async function releaseAll(): Promise<void> {
  const pending = [...live].map(async (r) => {
    live.delete(r);
    if (r.kind === 'process-group') killGroup(r.pgid);
    else await r.remove().catch(() => undefined);
  });
  await Promise.all(pending);
}

const killGroup = (pgid: number) => {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
};

// Last resort on exit: a synchronous kill of every process group we started (containers need async calls
// and are handled by releaseAll on signals and by `sigstorm gc`).
process.once('exit', () => {
  for (const r of live) if (r.kind === 'process-group') killGroup(r.pgid);
});

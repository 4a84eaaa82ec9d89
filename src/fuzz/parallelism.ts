import { availableParallelism } from 'node:os';

/** Trials run at once when a schedule is re-run, unless told otherwise: the cores, at most 4. */
export const defaultParallelism = (): number => Math.max(1, Math.min(4, availableParallelism()));

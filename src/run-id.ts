import { randomBytes } from 'node:crypto';

/** Sortable and unique: 20261126T044500Z-3f9a1c */
export const newRunId = (date = new Date()): string =>
  `${date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

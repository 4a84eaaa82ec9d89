/** A YAML mapping as a plain object (not a list, a scalar, a Set or a Map). */
export const mapping = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype ? (value as Record<string, unknown>) : undefined;

/** "a list", "a string": what a value that is not a mapping turned out to be. */
export const describeValue = (value: unknown): string =>
  Array.isArray(value) ? 'a list' : value instanceof Date ? 'a date' : typeof value === 'object' ? 'a set, map or binary value' : `a ${typeof value}`;

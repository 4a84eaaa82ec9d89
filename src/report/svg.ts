/** The font of every text in the timelines. */
export const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/** A coordinate as SVG text: whole numbers as they are, others to one decimal. */
export const f = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// systemd.time(7) time spans: "90" (seconds), "90s", "5min 20s", "2min30s", "1h", "500ms", "1.5s".

const UNITS: Record<string, number> = {
  usec: 0.001, us: 0.001, µs: 0.001, μs: 0.001,
  msec: 1, ms: 1,
  seconds: 1000, second: 1000, sec: 1000, s: 1000,
  minutes: 60_000, minute: 60_000, min: 60_000, m: 60_000,
  hours: 3_600_000, hour: 3_600_000, hr: 3_600_000, h: 3_600_000,
  days: 86_400_000, day: 86_400_000, d: 86_400_000,
  weeks: 604_800_000, week: 604_800_000, w: 604_800_000,
  // systemd's month and year are 30.44 and 365.25 days.
  months: 2_629_800_000, month: 2_629_800_000, M: 2_629_800_000,
  years: 31_557_600_000, year: 31_557_600_000, y: 31_557_600_000,
};

/** The span in ms ('infinity' for systemd's unbounded one), or undefined when it is not a time span. */
export function parseTimeSpan(text: string): number | 'infinity' | undefined {
  const value = text.trim();
  if (value === 'infinity') return 'infinity';
  if (value === '') return undefined;
  let total = 0;
  let rest = value;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Zµμ]*)\s*/.exec(rest);
    if (!match) return undefined;
    const unit = match[2] === '' ? 1000 : UNITS[match[2]!];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    rest = rest.slice(match[0].length);
  }
  return total;
}

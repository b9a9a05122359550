/**
 * The team server's log: one JSON object per line on stdout, so journald,
 * a container runtime or a log shipper reads it without a parser of our
 * own. Every line has `time` (ISO 8601), `level` and `event`; the rest are
 * the event's fields. No line ever holds a password, a session id or a
 * token: callers pass ids and addresses only.
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (event: string, fields?: Record<string, unknown>, level?: LogLevel) => void;

function plain(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  return value;
}

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return (event, fields = {}, level = 'info') => {
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, event };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) entry[k] = plain(v);
    write(`${JSON.stringify(entry)}\n`);
  };
}

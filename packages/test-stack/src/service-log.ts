/** One parsed JSON log line (pino), e.g. `{ level: 30, msg: 'api listening', port: 41234 }`. */
export type LogEntry = Record<string, unknown>;

/** One line of a service's output; `json` is set when the line is a JSON object (the services log with pino). */
export interface LogLine {
  text: string;
  json?: LogEntry;
}

/**
 * Which line to look for:
 * - a string: a line containing it;
 * - a RegExp: a line it matches;
 * - an object: a JSON line whose fields equal these, e.g. `{ msg: 'worker ready' }`.
 */
export type LogMatch = string | RegExp | LogEntry;

export function logLineMatches(line: LogLine, match: LogMatch): boolean {
  if (typeof match === 'string') return line.text.includes(match);
  if (match instanceof RegExp) return match.test(line.text);
  const { json } = line;
  return json !== undefined && Object.entries(match).every(([key, value]) => json[key] === value);
}

export function describeLogMatch(match: LogMatch): string {
  return typeof match === 'string' || match instanceof RegExp ? String(match) : JSON.stringify(match);
}

interface Waiter {
  match: LogMatch;
  found: (line: LogLine) => void;
}

/**
 * Everything a process wrote to stdout and stderr, as text (capped) and as lines tests can search or wait for.
 * Lines are kept from the start, so waiting for a line never misses one logged before the wait began.
 */
export class ServiceLog {
  private output = '';
  private partial = '';
  private readonly lines: LogLine[] = [];
  private waiters: Waiter[] = [];

  /** `maxChars` bounds the text kept for error messages; searchable lines are bounded by `maxLines`. */
  constructor(
    private readonly maxChars = 4 * 1024 * 1024,
    private readonly maxLines = 50_000,
  ) {}

  /** The output so far (the last `maxChars` characters). */
  get text(): string {
    return this.output;
  }

  append(chunk: string): void {
    this.output = (this.output + chunk).slice(-this.maxChars);
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const text of parts) this.addLine(text);
  }

  /** Completes a last line without a trailing newline (called when the process exits). */
  flush(): void {
    if (this.partial) this.addLine(this.partial);
    this.partial = '';
  }

  /** Every line matching `match`, oldest first. */
  findAll(match: LogMatch): LogLine[] {
    return this.lines.filter((line) => logLineMatches(line, match));
  }

  find(match: LogMatch): LogLine | undefined {
    return this.lines.find((line) => logLineMatches(line, match));
  }

  /** Resolves with the first line matching `match` (possibly one already logged). */
  waitFor(match: LogMatch): { line: Promise<LogLine>; cancel: () => void } {
    const existing = this.find(match);
    if (existing) return { line: Promise.resolve(existing), cancel: () => {} };
    let waiter!: Waiter;
    const line = new Promise<LogLine>((found) => {
      waiter = { match, found };
      this.waiters.push(waiter);
    });
    return { line, cancel: () => this.removeWaiter(waiter) };
  }

  private addLine(text: string): void {
    const line: LogLine = { text, json: parseJsonObject(text) };
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    for (const waiter of this.waiters.filter((w) => logLineMatches(line, w.match))) {
      this.removeWaiter(waiter);
      waiter.found(line);
    }
  }

  private removeWaiter(waiter: Waiter): void {
    this.waiters = this.waiters.filter((w) => w !== waiter);
  }
}

function parseJsonObject(text: string): LogEntry | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as LogEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

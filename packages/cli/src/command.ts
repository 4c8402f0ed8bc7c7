import type { OptionSpec, ParsedArgs } from './args.ts';

/** What a command may write to: human text to `out`, notices and progress to `err`. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when --json was given: print exactly one JSON document on stdout. */
  json: boolean;
}

export interface Command {
  /** Words that select it, e.g. ['models', 'list']. */
  path: readonly string[];
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code. Throw UserError for bad input. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of text' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** Prints either the JSON value or the human text for the same result. */
export function emit(io: Io, value: unknown, human: () => string): void {
  io.out(io.json ? JSON.stringify(value, null, 2) : human());
}

/** Pads a table of strings into aligned columns. */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const lines = all.map(fmt);
  if (header) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

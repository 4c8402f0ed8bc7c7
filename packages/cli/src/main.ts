import { UserError } from '@affectbench/core';
import { helpText, parseArgs } from './args.ts';
import { COMMON_OPTIONS, type Command, type Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | null {
  let best: Command | null = null;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : null;
}

export function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(22)} ${c.summary}`);
  return `affectbench: benchmark and evaluation harness for face-emotion-recognition models\n\nUsage: affectbench <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nEvery command takes --json and --help.`;
}

/** Runs one CLI invocation; returns the exit code. Never lets a UserError escape as a stack trace. */
export async function main(argv: readonly string[], io?: Partial<Io>): Promise<number> {
  const json = argv.includes('--json');
  const sink: Io = {
    out: io?.out ?? ((t) => process.stdout.write(`${t}\n`)),
    err: io?.err ?? ((t) => process.stderr.write(`${t}\n`)),
    json,
  };
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      sink.out(usage());
      return 0;
    }
    return fail(sink, new UserError(`unknown command "${argv.filter((a) => !a.startsWith('-')).join(' ')}"`, { hint: 'run affectbench --help for the list' }));
  }
  const { command, rest } = found;
  const spec = { ...COMMON_OPTIONS, ...command.options };
  try {
    const args = parseArgs(rest, spec);
    if (args.options.help) {
      sink.out(`Usage: affectbench ${command.path.join(' ')} ${command.usage}\n\n${command.summary}\n\nOptions:\n${helpText(spec)}`);
      return 0;
    }
    return await command.run(args, sink);
  } catch (err) {
    return fail(sink, err);
  }
}

function fail(io: Io, err: unknown): number {
  if (err instanceof UserError) {
    if (io.json) io.out(JSON.stringify({ error: err.message, ...(err.hint ? { hint: err.hint } : {}) }, null, 2));
    io.err(`error: ${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}`);
    return err.exitCode;
  }
  const e = err as Error;
  if (io.json) io.out(JSON.stringify({ error: e?.message ?? String(err), internal: true }, null, 2));
  io.err(`internal error (a bug in affectbench, please report it): ${e?.stack ?? String(err)}`);
  return 70;
}

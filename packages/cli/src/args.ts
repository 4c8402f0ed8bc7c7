import { UserError } from '@affectbench/core';

export type OptionType = 'string' | 'boolean' | 'number' | 'list';

export interface OptionSpec {
  type: OptionType;
  description: string;
  default?: string | number | boolean | string[];
  /** Single-letter alias. */
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
}

/** Strict parser: unknown flags and bad values are UserErrors, never silently ignored. */
export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([k, s]) => [s.short as string, k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      name = byShort.get(arg.slice(1)) ?? arg.slice(1);
    }
    let key = name;
    let negated = false;
    if (!spec[key] && key.startsWith('no-') && spec[key.slice(3)]?.type === 'boolean') {
      key = key.slice(3);
      negated = true;
    }
    const s = spec[key];
    if (!s) throw new UserError(`unknown option --${name}`, { hint: `options: ${Object.keys(spec).map((k) => `--${k}`).join(' ')}` });
    if (s.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new UserError(`--${key} takes no value (got "${inline}")`);
      options[key] = negated ? false : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UserError(`--${key} needs a value`);
    if (s.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UserError(`--${key} must be a number (got "${value}")`);
      options[key] = n;
    } else if (s.type === 'list') {
      const prev = (options[key] as string[] | undefined) ?? [];
      options[key] = [...prev, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
    } else {
      options[key] = value;
    }
  }
  for (const [k, s] of Object.entries(spec)) if (options[k] === undefined && s.default !== undefined) options[k] = s.default;
  return { positionals, options };
}

export function helpText(spec: Record<string, OptionSpec>): string {
  return Object.entries(spec)
    .map(([k, s]) => {
      const flag = `--${k}${s.type === 'boolean' ? '' : ` <${s.type === 'list' ? 'a,b' : s.type}>`}`;
      const def = s.default !== undefined && s.default !== false ? ` (default ${Array.isArray(s.default) ? s.default.join(',') : s.default})` : '';
      return `  ${flag.padEnd(28)} ${s.description}${def}`;
    })
    .join('\n');
}

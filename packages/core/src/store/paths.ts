import os from 'node:os';
import { join, resolve } from 'node:path';

export interface CacheOptions {
  /** The --cache-dir flag; wins over everything else. */
  cacheDir?: string;
  /** Environment to read (tests pass their own); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Where models live: --cache-dir > AFFECTBENCH_MODELS > $XDG_CACHE_HOME/affectbench/models > ~/.cache/affectbench/models. */
export function cacheDir(opts: CacheOptions = {}): string {
  const env = opts.env ?? process.env;
  if (opts.cacheDir) return resolve(opts.cacheDir);
  if (env.AFFECTBENCH_MODELS) return resolve(env.AFFECTBENCH_MODELS);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), 'affectbench', 'models');
  return join(os.homedir(), '.cache', 'affectbench', 'models');
}

import { type RunProvenance, gitCommit, hostInfo, packageVersion, runtimeVersions } from '@affectbench/core';

/** Everything needed to tell two bench runs apart: host, runtimes, browser, commit, date, command. */
export function benchProvenance(command: readonly string[], extraVersions: Record<string, string | null> = {}): RunProvenance {
  return {
    tool: { name: 'affectbench', version: '0.1.0' },
    versions: {
      ...runtimeVersions(),
      tinybench: packageVersion('tinybench'),
      'puppeteer-core': packageVersion('puppeteer-core'),
      ...extraVersions,
    },
    host: hostInfo(),
    date: new Date().toISOString(),
    git: gitCommit(),
    command: [...command],
  };
}

import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { appendHistory, loadResultFile, type ReportData, writeReport } from '../src/index.ts';
import { FIXTURES, tempDir } from './helpers.ts';

const CHROMIUM = process.env.AFFECTBENCH_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set AFFECTBENCH_CHROMIUM)`;

describe('results/index.html in a real Chromium', { skip }, () => {
  let browser: Browser;
  let report: ReportData;
  let profile: string;

  before(async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'results'), dir, { recursive: true });
    // Two history lines so the trend chart has something to draw.
    const bench = loadResultFile(join(dir, 'runs/bench-fixture.json')).result;
    appendHistory({ ...bench, provenance: { ...bench.provenance, date: '2026-11-18T09:00:00.000Z' } }, join(dir, 'history.jsonl'));
    appendHistory(bench, join(dir, 'history.jsonl'));
    report = await writeReport({ results: dir, progress: false });
    profile = tempDir('affectbench-chromium-');
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Two shared cores: a cold Chromium start can take a while under load.
      timeout: 90_000,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads with no console error and no request beyond the page, draws every chart, and is not blank', async () => {
    assert.equal(report.charts.length, 6, `charts drawn: ${report.charts.map((c) => c.name)}; skipped: ${JSON.stringify(report.chartsSkipped)}`);
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.setViewport({ width: 1280, height: 900 });
    const url = pathToFileURL(report.outputs.html).href;
    await page.goto(url, { waitUntil: 'load' });
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], 'self-contained: the page itself is the only request');

    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        // Vega's SVG groups every data mark under g.role-mark; axes, legends and titles have other roles.
        const marks = svg ? [...svg.querySelectorAll('g.role-mark')].filter((g) => !/role-(axis|legend|title|frame)/.test(g.getAttribute('class') ?? '')) : [];
        const drawn = marks.reduce((n, g) => n + g.querySelectorAll('path, line, rect, circle').length, 0);
        return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, drawn };
      }),
    );
    assert.deepEqual(charts.map((c) => c.id), report.charts.map((c) => `chart-${c.name}`));
    for (const c of charts) {
      assert.ok(c.width > 100 && c.height > 100, `${c.id} has a size (${c.width}×${c.height})`);
      assert.ok(c.drawn > 0, `${c.id} draws data marks`);
    }
    const tables = await page.$$eval('table', (t) => t.map((x) => x.querySelectorAll('tbody tr').length));
    assert.ok(tables.length >= 3, `paper, synthetic and backend tables (got ${tables.length})`);
    assert.equal(tables[0], 8, 'one paper-table row per HSEmotion model');

    const shot = PNG.sync.read(Buffer.from(await page.screenshot({ fullPage: true })));
    let sum = 0;
    let sq = 0;
    const n = shot.width * shot.height;
    for (let i = 0; i < shot.data.length; i += 4) {
      const y = 0.299 * shot.data[i] + 0.587 * shot.data[i + 1] + 0.114 * shot.data[i + 2];
      sum += y;
      sq += y * y;
    }
    const variance = sq / n - (sum / n) ** 2;
    assert.ok(variance > 200, `screenshot has content (luminance variance ${variance.toFixed(0)})`);
    if (process.env.AFFECTBENCH_REPORT_SHOT) {
      await page.screenshot({ path: process.env.AFFECTBENCH_REPORT_SHOT as `${string}.png`, fullPage: true });
      console.log(JSON.stringify({ charts, tables, variance }));
    }
    await page.close();
  });
});

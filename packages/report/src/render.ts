import { existsSync } from 'node:fs';
import { UserError } from '@affectbench/core';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './charts.ts';

/** Fonts resvg may use, first found wins; Debian's fonts-dejavu-core (installed by CI) provides the first. */
export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];

export function findFont(): string | null {
  return FONT_CANDIDATES.find((f) => existsSync(f)) ?? null;
}

/** Vega-Lite → Vega → headless View → SVG string. Nothing is fetched: the data is inline. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vg = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * SVG → PNG at 2× for legibility. resvg draws no text without a font, so the font is loaded by path;
 * without one the PNG would silently lose every label, hence the error.
 */
export function svgToPng(svg: string, fontFile: string | null = findFont()): Uint8Array {
  if (!fontFile) {
    throw new UserError(`no font for the PNG charts (looked for ${FONT_CANDIDATES.join(', ')})`, { hint: 'apt-get install fonts-dejavu-core' });
  }
  const r = new Resvg(svg, {
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  });
  return r.render().asPng();
}

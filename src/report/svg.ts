/**
 * The few SVG elements the charts and timelines draw, as text. Coordinates are rounded to a tenth
 * of a pixel, which keeps the files small and their diffs readable.
 */

/** A tick label: toPrecision drops the float noise of repeated step additions (0.30000000000000004). */
export function formatTick(value: number): string {
  return String(Number(value.toPrecision(10)) || 0);
}

/**
 * About `count` ticks at a round step (1, 2 or 5 times a power of ten) covering `low` to `high`:
 * the ticks, and the range from the first to the last, which the axis is widened to.
 */
export function roundTicks(low: number, high: number, count: number): { ticks: number[]; start: number; span: number } {
  const rough = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough)!;
  const first = Math.floor(low / step);
  const last = Math.ceil(high / step);
  const ticks = Array.from({ length: last - first + 1 }, (_, index) => (first + index) * step);
  return { ticks, start: first * step, span: (last - first) * step };
}

/** A rectangle, with a tooltip when given a title. */
export function rect(x: number, y: number, width: number, height: number, extra = '', title?: string): string {
  const start = `<rect x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${px(height)}"${extra ? ` ${extra}` : ''}`;
  return title === undefined ? `${start}/>` : `${start}><title>${escapeXml(title)}</title></rect>`;
}

export function line(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}"/>`;
}

export function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', extra = ''): string {
  return `<text x="${px(x)}" y="${px(y)}" text-anchor="${anchor}"${extra ? ` ${extra}` : ''}>${escapeXml(content)}</text>`;
}

export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Escapes markup, and replaces what XML cannot hold at all (control characters, lone surrogates). */
export function escapeXml(value: string): string {
  return value
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

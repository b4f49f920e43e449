import { escapeXml, formatTick, line, px, roundTicks, text } from '../report/svg.js';
/** One measurement: `min`/`max` draw an error bar around `y` (the spread of repeated runs). */
export interface ChartPoint {
  x: number;
  y: number;
  min?: number;
  max?: number;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** For reference lines such as the theoretical lower bound, so they read as "not measured". */
  dashed?: boolean;
  /**
   * Drawn as steps instead of straight lines, for a bound that only falls (or only rises) as x
   * grows: between two points the line holds the lower of their values, which such a bound is
   * never under, and changes straight up or down at a point's x.
   */
  steps?: boolean;
  /** Its colour, whatever its place among the series (by default the palette's next one). */
  colour?: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** `log2` spaces doublings (1, 2, 4, 8 threads) evenly. Default `linear`. */
  xScale?: 'linear' | 'log2';
  series: ChartSeries[];
}

const WIDTH = 760;
const HEIGHT = 500;
// The legend gets its own lines under the title so that it never hides a line.
const LEGEND = { top: 52, lineHeight: 20, entryGap: 26, sample: 30 };
const PLOT = { left: 66, right: WIDTH - 22, bottom: HEIGHT - 56 };
// Legend names are placed from an estimate of their width: no text metrics without a renderer.
const CHAR_WIDTH = 7;

// Okabe-Ito colours: told apart by colour-blind readers too; its yellow is left out, unreadable on white.
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;

interface Axis {
  ticks: number[];
  /** Data value to pixel. */
  toPx(value: number): number;
}

/** A standalone SVG line chart (no dependencies, no scripts), e.g. time against thread count per strategy. */
export function renderChart(spec: ChartSpec): string {
  const points = spec.series.flatMap((series) => series.points);
  if (points.length === 0) throw new Error('renderChart: no points to draw');
  for (const { x, y, min, max } of points) {
    if (![x, y, min ?? y, max ?? y].every(Number.isFinite)) {
      throw new RangeError(`renderChart: point (${x}, ${y}) has a value that is not a finite number`);
    }
  }

  const colours = spec.series.map((series, index) => series.colour ?? PALETTE[index % PALETTE.length]!);
  const legend = renderLegend(spec.series, colours);
  const plotTop = legend.bottom + 18;
  const xs = points.map((point) => point.x);
  const ys = points.flatMap((point) => [point.y, point.min ?? point.y, point.max ?? point.y]);
  const xAxis = spec.xScale === 'log2' ? log2Axis(Math.min(...xs), Math.max(...xs), PLOT.left, PLOT.right) : linearAxis(Math.min(...xs), Math.max(...xs), PLOT.left, PLOT.right);
  // Times and counts are read against zero, so the y axis starts there unless the data goes below.
  const yAxis = linearAxis(Math.min(0, ...ys), Math.max(...ys), PLOT.bottom, plotTop);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text((PLOT.left + PLOT.right) / 2, 30, spec.title, 'middle', 'font-size="16" font-weight="bold"'),
    renderGrid(xAxis, yAxis, plotTop),
    renderAxes(spec, xAxis, yAxis, plotTop),
    ...spec.series.map((series, index) => renderSeries(series, colours[index]!, xAxis, yAxis)),
    legend.svg,
    '</svg>',
    '',
  ].join('\n');
}

function renderGrid(xAxis: Axis, yAxis: Axis, plotTop: number): string {
  const vertical = xAxis.ticks.map((tick) => line(xAxis.toPx(tick), plotTop, xAxis.toPx(tick), PLOT.bottom));
  const horizontal = yAxis.ticks.map((tick) => line(PLOT.left, yAxis.toPx(tick), PLOT.right, yAxis.toPx(tick)));
  return `<g stroke="#e3e3e3" stroke-width="1">\n${[...vertical, ...horizontal].join('\n')}\n</g>`;
}

function renderAxes(spec: ChartSpec, xAxis: Axis, yAxis: Axis, plotTop: number): string {
  const parts = [
    `<g stroke="#333333" stroke-width="1">`,
    line(PLOT.left, PLOT.bottom, PLOT.right, PLOT.bottom),
    line(PLOT.left, plotTop, PLOT.left, PLOT.bottom),
    ...xAxis.ticks.map((tick) => line(xAxis.toPx(tick), PLOT.bottom, xAxis.toPx(tick), PLOT.bottom + 5)),
    ...yAxis.ticks.map((tick) => line(PLOT.left - 5, yAxis.toPx(tick), PLOT.left, yAxis.toPx(tick))),
    '</g>',
    `<g fill="#333333">`,
    ...xAxis.ticks.map((tick) => text(xAxis.toPx(tick), PLOT.bottom + 19, formatTick(tick), 'middle')),
    ...yAxis.ticks.map((tick) => text(PLOT.left - 9, yAxis.toPx(tick) + 4, formatTick(tick), 'end')),
    text((PLOT.left + PLOT.right) / 2, HEIGHT - 16, spec.xLabel, 'middle', 'font-size="13"'),
    text(0, 0, spec.yLabel, 'middle', `font-size="13" transform="translate(18 ${px((plotTop + PLOT.bottom) / 2)}) rotate(-90)"`),
    '</g>',
  ];
  return parts.join('\n');
}

function renderSeries(series: ChartSeries, stroke: string, xAxis: Axis, yAxis: Axis): string {
  const points = [...series.points].sort((a, b) => a.x - b.x);
  const dash = series.dashed ? ' stroke-dasharray="7 5"' : '';
  const corners = series.steps ? points.flatMap((point, index) => [point, ...stepCorner(point, points[index + 1])]) : points;
  const path = corners.map((point) => `${px(xAxis.toPx(point.x))},${px(yAxis.toPx(point.y))}`).join(' ');
  const bars = points
    .filter((point) => point.min !== undefined || point.max !== undefined)
    .map((point) => errorBar(xAxis.toPx(point.x), yAxis.toPx(point.min ?? point.y), yAxis.toPx(point.max ?? point.y)));
  // A reference line's values are hollow: computed, not measured.
  const fill = series.dashed ? '#ffffff' : stroke;
  const markers = points.map((point) => `<circle cx="${px(xAxis.toPx(point.x))}" cy="${px(yAxis.toPx(point.y))}" r="3.2" fill="${fill}"/>`);
  return [
    `<g stroke="${stroke}" stroke-width="1.3">`,
    `<polyline fill="none" stroke-width="2" stroke-linejoin="round"${dash} points="${path}"/>`,
    ...bars,
    ...(series.dashed && !series.steps ? [] : markers),
    '</g>',
  ].join('\n');
}

/** Where a step from `point` to `next` turns: down at `point`'s x when the next value is lower, up at `next`'s x when higher. */
function stepCorner(point: ChartPoint, next: ChartPoint | undefined): ChartPoint[] {
  if (next === undefined || next.y === point.y) return [];
  return [next.y < point.y ? { x: point.x, y: next.y } : { x: next.x, y: point.y }];
}

function errorBar(x: number, yLow: number, yHigh: number): string {
  const cap = 4;
  return [line(x, yLow, x, yHigh), line(x - cap, yLow, x + cap, yLow), line(x - cap, yHigh, x + cap, yHigh)].join('\n');
}

/** The legend in lines under the title, each entry a sample of its line and its name; `bottom`: the last line's. */
function renderLegend(series: ChartSeries[], colours: readonly string[]): { svg: string; bottom: number } {
  let x = PLOT.left;
  let y = LEGEND.top;
  const entries = series.map((entry, index) => {
    const width = LEGEND.sample + 8 + entry.name.length * CHAR_WIDTH;
    if (x > PLOT.left && x + width > PLOT.right) {
      x = PLOT.left;
      y += LEGEND.lineHeight;
    }
    const dash = entry.dashed ? ' stroke-dasharray="7 5"' : '';
    const svg = [
      `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + LEGEND.sample)}" y2="${px(y)}" stroke="${colours[index]}" stroke-width="2"${dash}/>`,
      text(x + LEGEND.sample + 8, y + 4, entry.name, 'start'),
    ].join('\n');
    x += width + LEGEND.entryGap;
    return svg;
  });
  return { svg: `<g fill="#222222">\n${entries.join('\n')}\n</g>`, bottom: y };
}

/** Ticks at round steps (1, 2 or 5 times a power of ten), with the axis widened to the outer ticks. */
function linearAxis(low: number, high: number, fromPx: number, toPx: number): Axis {
  if (low === high) {
    // A single value still needs a span to be placed in.
    const pad = Math.abs(low) || 1;
    low -= pad;
    high += pad;
  }
  const { ticks, start, span } = roundTicks(low, high, 6);
  return { ticks, toPx: (value) => fromPx + ((value - start) / span) * (toPx - fromPx) };
}

/**
 * Ticks at powers of two (every other one or fewer when the range is wide), plus
 * the largest x when it is no power, since a ladder such as 1..16, 20 ends there.
 */
function log2Axis(low: number, high: number, fromPx: number, toPx: number): Axis {
  if (low <= 0) throw new RangeError(`renderChart: a log2 x axis needs positive x values, got ${low}`);
  const first = Math.floor(Math.log2(low));
  const last = Math.max(Math.log2(high), first + 1);
  // A margin keeps the first and last points (and their error bars) off the frame.
  const margin = (last - first) * 0.04;
  const toPxLog = (value: number) => fromPx + ((Math.log2(value) - first + margin) / (last - first + 2 * margin)) * (toPx - fromPx);
  const stride = Math.ceil((last - first) / 10);
  const ticks: number[] = [];
  for (let power = first; power <= last; power += stride) ticks.push(2 ** power);
  const roomForLabel = 28;
  if (Math.abs(toPxLog(high) - toPxLog(ticks.at(-1)!)) >= roomForLabel) ticks.push(high);
  return { ticks, toPx: toPxLog };
}

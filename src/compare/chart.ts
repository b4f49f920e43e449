import { escapeXml, formatTick, line, px, roundTicks, text } from '../svg.js';
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
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** `log2` spaces doublings (1, 2, 4, 8 threads) evenly. Default `linear`. */
  xScale?: 'linear' | 'log2';
  series: ChartSeries[];
}

const WIDTH = 880;
const HEIGHT = 520;
// The legend gets its own column on the right so that it never hides a line.
const PLOT = { left: 84, top: 56, right: WIDTH - 210, bottom: HEIGHT - 64 };

// Okabe-Ito colours: told apart by colour-blind readers too; its yellow is left out, unreadable on white.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

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

  const xs = points.map((point) => point.x);
  const ys = points.flatMap((point) => [point.y, point.min ?? point.y, point.max ?? point.y]);
  const xAxis = spec.xScale === 'log2' ? log2Axis(Math.min(...xs), Math.max(...xs), PLOT.left, PLOT.right) : linearAxis(Math.min(...xs), Math.max(...xs), PLOT.left, PLOT.right);
  // Times and counts are read against zero, so the y axis starts there unless the data goes below.
  const yAxis = linearAxis(Math.min(0, ...ys), Math.max(...ys), PLOT.bottom, PLOT.top);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text((PLOT.left + PLOT.right) / 2, 30, spec.title, 'middle', 'font-size="17" font-weight="bold"'),
    renderGrid(xAxis, yAxis),
    renderAxes(spec, xAxis, yAxis),
    ...spec.series.map((series, index) => renderSeries(series, colour(index), xAxis, yAxis)),
    renderLegend(spec.series),
    '</svg>',
    '',
  ].join('\n');
}

function colour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

function renderGrid(xAxis: Axis, yAxis: Axis): string {
  const vertical = xAxis.ticks.map((tick) => line(xAxis.toPx(tick), PLOT.top, xAxis.toPx(tick), PLOT.bottom));
  const horizontal = yAxis.ticks.map((tick) => line(PLOT.left, yAxis.toPx(tick), PLOT.right, yAxis.toPx(tick)));
  return `<g stroke="#e3e3e3" stroke-width="1">\n${[...vertical, ...horizontal].join('\n')}\n</g>`;
}

function renderAxes(spec: ChartSpec, xAxis: Axis, yAxis: Axis): string {
  const parts = [
    `<g stroke="#333333" stroke-width="1">`,
    line(PLOT.left, PLOT.bottom, PLOT.right, PLOT.bottom),
    line(PLOT.left, PLOT.top, PLOT.left, PLOT.bottom),
    ...xAxis.ticks.map((tick) => line(xAxis.toPx(tick), PLOT.bottom, xAxis.toPx(tick), PLOT.bottom + 5)),
    ...yAxis.ticks.map((tick) => line(PLOT.left - 5, yAxis.toPx(tick), PLOT.left, yAxis.toPx(tick))),
    '</g>',
    `<g fill="#333333">`,
    ...xAxis.ticks.map((tick) => text(xAxis.toPx(tick), PLOT.bottom + 19, formatTick(tick), 'middle')),
    ...yAxis.ticks.map((tick) => text(PLOT.left - 9, yAxis.toPx(tick) + 4, formatTick(tick), 'end')),
    text((PLOT.left + PLOT.right) / 2, HEIGHT - 20, spec.xLabel, 'middle', 'font-size="13"'),
    text(0, 0, spec.yLabel, 'middle', `font-size="13" transform="translate(22 ${px((PLOT.top + PLOT.bottom) / 2)}) rotate(-90)"`),
    '</g>',
  ];
  return parts.join('\n');
}

function renderSeries(series: ChartSeries, stroke: string, xAxis: Axis, yAxis: Axis): string {
  const points = [...series.points].sort((a, b) => a.x - b.x);
  const dash = series.dashed ? ' stroke-dasharray="7 5"' : '';
  const path = points.map((point) => `${px(xAxis.toPx(point.x))},${px(yAxis.toPx(point.y))}`).join(' ');
  const bars = points
    .filter((point) => point.min !== undefined || point.max !== undefined)
    .map((point) => errorBar(xAxis.toPx(point.x), yAxis.toPx(point.min ?? point.y), yAxis.toPx(point.max ?? point.y)));
  const markers = points.map((point) => `<circle cx="${px(xAxis.toPx(point.x))}" cy="${px(yAxis.toPx(point.y))}" r="3.2" fill="${stroke}"/>`);
  return [
    `<g stroke="${stroke}" stroke-width="1.3">`,
    `<polyline fill="none" stroke-width="2" stroke-linejoin="round"${dash} points="${path}"/>`,
    ...bars,
    ...(series.dashed ? [] : markers),
    '</g>',
  ].join('\n');
}

function errorBar(x: number, yLow: number, yHigh: number): string {
  const cap = 4;
  return [line(x, yLow, x, yHigh), line(x - cap, yLow, x + cap, yLow), line(x - cap, yHigh, x + cap, yHigh)].join('\n');
}

function renderLegend(series: ChartSeries[]): string {
  const left = PLOT.right + 22;
  const rows = series.map((entry, index) => {
    const y = PLOT.top + 10 + index * 24;
    const dash = entry.dashed ? ' stroke-dasharray="7 5"' : '';
    return [
      `<line x1="${px(left)}" y1="${px(y)}" x2="${px(left + 30)}" y2="${px(y)}" stroke="${colour(index)}" stroke-width="2"${dash}/>`,
      text(left + 38, y + 4, entry.name, 'start'),
    ].join('\n');
  });
  return `<g fill="#222222">\n${rows.join('\n')}\n</g>`;
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

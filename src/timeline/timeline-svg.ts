import { escapeXml, formatTick, line, px, rect, roundTicks, text } from '../svg.js';
import type { Status } from '../types.js';
import type { Lane, Span, Timeline } from './spans.js';

const WIDTH = 1000;
const MARGIN = { left: 84, right: 24, top: 68, bottom: 52 };
const PLOT_RIGHT = WIDTH - MARGIN.right;
// All rows share about this height: 700 flags over 64 lanes still fit on a screen or two.
const ROWS_HEIGHT = 640;
const ROW_HEIGHT = { min: 2, max: 12 };
// A lane is never lower than its label.
const LANE_MIN_HEIGHT = 14;
const LANE_GAP = 3;
// Legend labels are placed from an estimate of their width: no text metrics without a renderer.
const CHAR_WIDTH = 6.4;

// Okabe-Ito colours, told apart by colour-blind readers too; grey for the time before any work.
const FILL = {
  startup: '#BBBBBB',
  ok: '#0072B2',
  not_found: '#56B4E9',
  not_modified: '#009E73',
  skipped: '#CC79A7',
  error: '#D55E00',
  render: '#E69F00',
} as const;
type Kind = keyof typeof FILL;
const LEGEND: Record<Kind, string> = {
  startup: 'worker start-up (creation to first request)',
  ok: 'flag (request to file in place)',
  not_found: 'not found',
  not_modified: 'not modified (304)',
  skipped: 'skipped (file exists)',
  error: 'error',
  render: 'render to PNG',
};

const STATUS_WORDS: Record<Status, string> = { ok: 'ok', not_found: 'not found', not_modified: 'not modified', skipped: 'skipped', error: 'error' };

interface Axis {
  /** In ms since the process start. */
  ticks: number[];
  /** Ms since the process start to pixel. */
  toPx(ms: number): number;
}

/** Epoch ms to pixel. */
type XOf = (time: number) => number;

/** A lane's spans on the rows they were packed into, and its place on the page. */
interface LaneLayout {
  lane: Lane;
  top: number;
  height: number;
  rowOf: Map<Span, number>;
}

/**
 * A standalone SVG timeline (no scripts): one lane per thread, one bar per flag from its request
 * to its file in place, the render part of the bar in its own colour, each worker's start-up
 * before its first bar; x in milliseconds from the process start. Bars that overlap in time (a
 * thread with several requests in flight) go on rows of their own within the lane.
 */
export function timelineSvg(timeline: Timeline): string {
  const spans = timeline.lanes.flatMap((lane) => [...(lane.startup ? [lane.startup] : []), ...lane.flags]);
  if (spans.length === 0) throw new Error('timelineSvg: no spans to draw');
  if (!Number.isFinite(timeline.origin)) throw new RangeError(`timelineSvg: origin ${timeline.origin} is not a finite number`);
  for (const lane of timeline.lanes) {
    if (lane.startup) checkSpan(lane.startup, `the start-up of thread ${lane.thread}`);
    for (const flag of lane.flags) {
      checkSpan(flag, `flag ${flag.cc}`);
      if (flag.render) checkSpan(flag.render, `the render of flag ${flag.cc}`);
    }
  }

  const packed = timeline.lanes.map((lane) => packRows(lane));
  const rowHeight = clamp(ROWS_HEIGHT / packed.reduce((rows, lane) => rows + lane.rows, 0), ROW_HEIGHT.min, ROW_HEIGHT.max);
  const layouts: LaneLayout[] = [];
  let top = MARGIN.top;
  for (const [index, lane] of timeline.lanes.entries()) {
    const { rows, rowOf } = packed[index]!;
    const height = Math.max(rows * rowHeight, LANE_MIN_HEIGHT);
    layouts.push({ lane, top, height, rowOf });
    top += height + LANE_GAP;
  }
  const plotBottom = top;
  const height = plotBottom + MARGIN.bottom;
  const axis = timeAxis(Math.min(...spans.map((span) => span.start)) - timeline.origin, Math.max(...spans.map((span) => span.end)) - timeline.origin);
  const xOf: XOf = (time) => axis.toPx(time - timeline.origin);
  const kinds = kindsIn(timeline.lanes);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${px(height)}" viewBox="0 0 ${WIDTH} ${px(height)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${escapeXml(timeline.title)}</title>`,
    `<rect width="${WIDTH}" height="${px(height)}" fill="#ffffff"/>`,
    text(MARGIN.left, 24, timeline.title, 'start', 'font-size="15" font-weight="bold"'),
    renderLegend(kinds),
    `<g fill="#f3f3f3">\n${layouts
      .filter((_, index) => index % 2 === 0)
      .map((layout) => rect(MARGIN.left, layout.top, PLOT_RIGHT - MARGIN.left, layout.height))
      .join('\n')}\n</g>`,
    renderGrid(axis, plotBottom),
    ...layouts.map((layout) => renderLane(layout, xOf, rowHeight)),
    renderAxis(axis, plotBottom),
    '</svg>',
    '',
  ].join('\n');
}

function checkSpan({ start, end }: Span, what: string): void {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
    throw new RangeError(`timelineSvg: ${what} spans ${start} to ${end}, not a forward stretch of finite times`);
  }
}

/** Each span on the first row that is free at its start (the fewest rows for spans sorted by start). */
function packRows(lane: Lane): { rows: number; rowOf: Map<Span, number> } {
  const spans = [...(lane.startup ? [lane.startup] : []), ...lane.flags].sort((a, b) => a.start - b.start);
  const rowEnds: number[] = [];
  const rowOf = new Map<Span, number>();
  for (const span of spans) {
    let row = rowEnds.findIndex((end) => end <= span.start);
    if (row < 0) row = rowEnds.push(span.end) - 1;
    rowEnds[row] = span.end;
    rowOf.set(span, row);
  }
  return { rows: Math.max(rowEnds.length, 1), rowOf };
}

/** Ticks at round steps (1, 2 or 5 times a power of ten), the axis widened to the outer ticks; from 0 unless a span starts earlier. */
function timeAxis(earliest: number, latest: number): Axis {
  const low = Math.min(0, earliest);
  const high = Math.max(latest, low + 1);
  const { ticks, start, span } = roundTicks(low, high, 8);
  return { ticks, toPx: (ms) => MARGIN.left + ((ms - start) / span) * (PLOT_RIGHT - MARGIN.left) };
}

function kindsIn(lanes: readonly Lane[]): Kind[] {
  const present = new Set<Kind>();
  for (const lane of lanes) {
    if (lane.startup) present.add('startup');
    for (const flag of lane.flags) {
      present.add(flag.status);
      if (flag.render) present.add('render');
    }
  }
  return (Object.keys(FILL) as Kind[]).filter((kind) => present.has(kind));
}

function renderLegend(kinds: readonly Kind[]): string {
  let x = MARGIN.left;
  const entries = kinds.map((kind) => {
    const entry = `${rect(x, 37, 14, 10, `fill="${FILL[kind]}"`)}\n${text(x + 19, 46, LEGEND[kind], 'start')}`;
    x += 19 + LEGEND[kind].length * CHAR_WIDTH + 18;
    return entry;
  });
  return `<g class="legend" fill="#222222">\n${entries.join('\n')}\n</g>`;
}

function renderGrid(axis: Axis, plotBottom: number): string {
  const lines = axis.ticks.map((tick) => line(axis.toPx(tick), MARGIN.top, axis.toPx(tick), plotBottom));
  return `<g stroke="#dddddd" stroke-width="1">\n${lines.join('\n')}\n</g>`;
}

function renderLane(layout: LaneLayout, xOf: XOf, rowHeight: number): string {
  const { lane, top, height, rowOf } = layout;
  const label = lane.thread === 0 ? 'main' : `thread ${lane.thread}`;
  // A gap between rows while they are tall enough to spare one; below that, bars touch.
  const barHeight = rowHeight > 4 ? rowHeight - 1 : rowHeight;
  const rowTop = (span: Span) => top + rowOf.get(span)! * rowHeight;
  // A bar of zero length still shows as a sliver.
  const bar = (span: Span, y: number, extra: string, title?: string) => rect(xOf(span.start), y, Math.max(xOf(span.end) - xOf(span.start), 1), barHeight, extra, title);
  const parts = [text(MARGIN.left - 8, top + Math.min(height, 24) / 2 + 4, label, 'end', 'fill="#222222"')];
  if (lane.startup) {
    parts.push(bar(lane.startup, rowTop(lane.startup), `class="startup" fill="${FILL.startup}"`, `${label} start-up: ${ms(lane.startup)}`));
  }
  for (const flag of lane.flags) {
    const about = `${flag.cc}: ${STATUS_WORDS[flag.status]}, ${ms(flag)}${flag.render ? `, render ${ms(flag.render)}` : ''}`;
    parts.push(bar(flag, rowTop(flag), `class="flag" data-cc="${escapeXml(flag.cc)}" data-status="${flag.status}" fill="${FILL[flag.status]}"`, about));
    if (flag.render) {
      // Kept within its bar: the render's times and the flag's may differ by a rounding.
      const start = clamp(flag.render.start, flag.start, flag.end);
      parts.push(bar({ start, end: clamp(flag.render.end, start, flag.end) }, rowTop(flag), `class="render" fill="${FILL.render}"`));
    }
  }
  return `<g class="lane" data-thread="${lane.thread}">\n${parts.join('\n')}\n</g>`;
}

function renderAxis(axis: Axis, plotBottom: number): string {
  return [
    `<g stroke="#333333" stroke-width="1">`,
    line(MARGIN.left, plotBottom, PLOT_RIGHT, plotBottom),
    ...axis.ticks.map((tick) => line(axis.toPx(tick), plotBottom, axis.toPx(tick), plotBottom + 5)),
    '</g>',
    `<g fill="#333333">`,
    ...axis.ticks.map((tick) => text(axis.toPx(tick), plotBottom + 18, formatTick(tick), 'middle')),
    text((MARGIN.left + PLOT_RIGHT) / 2, plotBottom + 40, 'ms since the process start', 'middle', 'font-size="12"'),
    '</g>',
  ].join('\n');
}

function ms(span: Span): string {
  return `${Math.round(span.end - span.start)} ms`;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

import { escapeXml, formatTick, line, px, rect, roundTicks, text } from './svg.js';
import type { Status } from '../types.js';
import type { Lane, Span, Timeline } from './timeline-spans.js';

const WIDTH = 1000;
const MARGIN = { left: 84, right: 24, bottom: 52 };
// The legend's first line, under the title; the lanes start this far under its last.
const LEGEND_TOP = 37;
const LEGEND_TO_LANES = 21;
const PLOT_RIGHT = WIDTH - MARGIN.right;
// All rows share about this height: 700 flags over 64 lanes still fit on a screen or two.
const ROWS_HEIGHT = 640;
const ROW_HEIGHT = { min: 2, max: 12 };
// A lane is never lower than its label.
const LANE_MIN_HEIGHT = 14;
// Under a CPU track, the rows need this much height for the lane's label beside them.
const LABEL_ROOM = 10;
// The track of a lane's renders, above its rows: never thinner than this, so that it reads as a band.
const CPU_TRACK_MIN_HEIGHT = 7;
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
  // Hatched in the render's colour: the time a flag was held up by its thread's CPU, not by the network.
  cpu_wait: 'url(#cpu-wait)',
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
  cpu_wait: 'flag held up: its thread rendering another',
  render: 'render to PNG (on the CPU row: every render of the thread)',
};
const HATCH = `<defs><pattern id="cpu-wait" patternUnits="userSpaceOnUse" width="4" height="4" patternTransform="rotate(45)"><rect width="4" height="4" fill="#F7E3BD"/><rect width="2" height="4" fill="${FILL.render}"/></pattern></defs>`;

const STATUS_WORDS: Record<Status, string> = { ok: 'ok', not_found: 'not found', not_modified: 'not modified', skipped: 'skipped', error: 'error' };

interface Axis {
  /** In ms since the process start. */
  ticks: number[];
  /** Ms since the process start to pixel. */
  toPx(ms: number): number;
}

/** Epoch ms to pixel. */
type XOf = (time: number) => number;

/** A lane's spans on the rows they were packed into, its CPU track, and its place on the page. */
interface LaneLayout {
  lane: Lane;
  top: number;
  height: number;
  rows: number;
  rowOf: Map<Span, number>;
  /** The stretches its thread spent rendering, as drawn (empty without renders). */
  busy: Span[];
  /** The height of the CPU track above its rows (0 without renders). */
  track: number;
}

/**
 * A standalone SVG timeline (no scripts): one lane per thread, one bar per flag from its request
 * to its file in place, the render part of the bar in its own colour, each worker's start-up
 * before its first bar; x in milliseconds from the process start. Bars that overlap in time (a
 * thread with several requests in flight) go on rows of their own within the lane. With renders,
 * a lane opens with its thread's CPU track (all its renders: one thread renders one PNG at a
 * time), and the part of a flag's bar spent while its thread rendered another is hatched: that
 * flag waited for the CPU, not for the network.
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

  const axis = timeAxis(Math.min(...spans.map((span) => span.start)) - timeline.origin, Math.max(...spans.map((span) => span.end)) - timeline.origin);
  const xOf: XOf = (time) => axis.toPx(time - timeline.origin);
  // Renders closer than half a pixel join on the track: the gaps between them would not show.
  const joinWithin = 0.5 / (axis.toPx(1) - axis.toPx(0));
  const packed = timeline.lanes.map((lane) => ({ lane, ...packRows(lane), busy: busyStretches(lane, joinWithin) }));
  const kinds = kindsIn(packed);
  const legend = renderLegend(kinds);
  const rowHeight = clamp(ROWS_HEIGHT / packed.reduce((rows, lane) => rows + lane.rows + (lane.busy.length > 0 ? 1 : 0), 0), ROW_HEIGHT.min, ROW_HEIGHT.max);
  const plotTop = legend.bottom + LEGEND_TO_LANES;
  const layouts: LaneLayout[] = [];
  let top = plotTop;
  for (const { lane, rows, rowOf, busy } of packed) {
    const track = busy.length > 0 ? Math.max(rowHeight, CPU_TRACK_MIN_HEIGHT) : 0;
    const height = Math.max(track + rows * rowHeight, LANE_MIN_HEIGHT);
    layouts.push({ lane, top, height, rows, rowOf, busy, track });
    top += height + LANE_GAP;
  }
  const plotBottom = top;
  const height = plotBottom + MARGIN.bottom;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${px(height)}" viewBox="0 0 ${WIDTH} ${px(height)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${escapeXml(timeline.title)}</title>`,
    ...(kinds.includes('cpu_wait') ? [HATCH] : []),
    `<rect width="${WIDTH}" height="${px(height)}" fill="#ffffff"/>`,
    text(MARGIN.left, 24, timeline.title, 'start', 'font-size="15" font-weight="bold"'),
    legend.svg,
    `<g fill="#f3f3f3">\n${layouts
      .filter((_, index) => index % 2 === 0)
      .map((layout) => rect(MARGIN.left, layout.top, PLOT_RIGHT - MARGIN.left, layout.height))
      .join('\n')}\n</g>`,
    renderGrid(axis, plotTop, plotBottom),
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

/**
 * The stretches of `lane` its thread spent rendering: the renders in time order, those less than
 * `joinWithin` ms apart made one. A thread renders one PNG at a time, so they never overlap.
 */
function busyStretches(lane: Lane, joinWithin: number): Span[] {
  const renders = lane.flags.flatMap((flag) => (flag.render ? [renderWithin(flag)] : [])).sort((a, b) => a.start - b.start);
  const busy: Span[] = [];
  for (const { start, end } of renders) {
    const last = busy.at(-1);
    if (last && start - last.end < joinWithin) last.end = Math.max(last.end, end);
    else busy.push({ start, end });
  }
  return busy;
}

/** A flag's render kept within its bar, should their times differ by a rounding. */
function renderWithin(flag: Lane['flags'][number]): Span {
  const start = clamp(flag.render!.start, flag.start, flag.end);
  return { start, end: clamp(flag.render!.end, start, flag.end) };
}

/** The parts of a flag's bar before its own render during which its thread was rendering (`busy`). */
function heldUp(flag: Lane['flags'][number], busy: readonly Span[]): Span[] {
  const until = flag.render ? renderWithin(flag).start : flag.end;
  return busy.flatMap(({ start, end }) => {
    const from = Math.max(start, flag.start);
    const to = Math.min(end, until);
    return to > from ? [{ start: from, end: to }] : [];
  });
}

function kindsIn(layouts: readonly Pick<LaneLayout, 'lane' | 'busy'>[]): Kind[] {
  const present = new Set<Kind>();
  for (const { lane, busy } of layouts) {
    if (lane.startup) present.add('startup');
    for (const flag of lane.flags) {
      present.add(flag.status);
      if (flag.render) present.add('render');
      if (heldUp(flag, busy).length > 0) present.add('cpu_wait');
    }
  }
  return (Object.keys(FILL) as Kind[]).filter((kind) => present.has(kind));
}

/** The legend under the title, on a second line when the first is full; `bottom`: where its last line ends. */
function renderLegend(kinds: readonly Kind[]): { svg: string; bottom: number } {
  let x = MARGIN.left;
  let y = LEGEND_TOP;
  const entries = kinds.map((kind) => {
    const width = 19 + LEGEND[kind].length * CHAR_WIDTH;
    if (x > MARGIN.left && x + width > PLOT_RIGHT) {
      x = MARGIN.left;
      y += 16;
    }
    const entry = `${rect(x, y, 14, 10, `fill="${FILL[kind]}"`)}\n${text(x + 19, y + 9, LEGEND[kind], 'start')}`;
    x += width + 18;
    return entry;
  });
  return { svg: `<g class="legend" fill="#222222">\n${entries.join('\n')}\n</g>`, bottom: y + 10 };
}

function renderGrid(axis: Axis, plotTop: number, plotBottom: number): string {
  const lines = axis.ticks.map((tick) => line(axis.toPx(tick), plotTop, axis.toPx(tick), plotBottom));
  return `<g stroke="#dddddd" stroke-width="1">\n${lines.join('\n')}\n</g>`;
}

function renderLane(layout: LaneLayout, xOf: XOf, rowHeight: number): string {
  const { lane, top, height, rows, rowOf, busy, track } = layout;
  const label = lane.thread === 0 ? 'main' : `thread ${lane.worker ?? lane.thread}`;
  // A gap between rows while they are tall enough to spare one; below that, bars touch.
  const barHeight = rowHeight > 4 ? rowHeight - 1 : rowHeight;
  const rowsTop = top + track;
  const rowTop = (span: Span) => rowsTop + rowOf.get(span)! * rowHeight;
  // A bar of zero length still shows as a sliver.
  const width = (span: Span) => Math.max(xOf(span.end) - xOf(span.start), 1);
  const bar = (span: Span, y: number, extra: string, title?: string) => rect(xOf(span.start), y, width(span), barHeight, extra, title);
  // The track is named beside it while the lane has room for both labels; the legend names it anyway.
  const named = track > 0 && height - track >= LABEL_ROOM;
  const labelTop = named ? rowsTop : top;
  const parts = [text(MARGIN.left - 8, labelTop + Math.min(top + height - labelTop, 24) / 2 + 4, label, 'end', 'fill="#222222"')];
  if (named) parts.push(text(MARGIN.left - 8, top + track / 2 + 3, 'CPU', 'end', 'fill="#666666" font-size="8"'));
  if (track > 0) {
    const rendering = busy.reduce((sum, span) => sum + span.end - span.start, 0);
    parts.push(
      `<g class="cpu" fill="${FILL.render}"><title>${escapeXml(`${label}: rendering for ${Math.round(rendering)} ms`)}</title>`,
      ...busy.map((span) => rect(xOf(span.start), top, width(span), track - 1)),
      '</g>',
    );
  }
  if (lane.startup) {
    parts.push(bar(lane.startup, rowTop(lane.startup), `class="startup" fill="${FILL.startup}"`, `${label} start-up: ${ms(lane.startup)}`));
  }
  for (const flag of lane.flags) {
    const waits = heldUp(flag, busy);
    const waited = waits.reduce((sum, span) => sum + span.end - span.start, 0);
    const about = `${flag.cc}: ${STATUS_WORDS[flag.status]}, ${ms(flag)}${waits.length > 0 ? `, held up ${Math.round(waited)} ms by other renders` : ''}${flag.render ? `, render ${ms(flag.render)}` : ''}`;
    parts.push(bar(flag, rowTop(flag), `class="flag" data-cc="${escapeXml(flag.cc)}" data-status="${flag.status}" fill="${FILL[flag.status]}"`, about));
    for (const wait of waits) parts.push(bar(wait, rowTop(flag), `class="cpu-wait" fill="${FILL.cpu_wait}"`));
    if (flag.render) parts.push(bar(renderWithin(flag), rowTop(flag), `class="render" fill="${FILL.render}"`));
  }
  return `<g class="lane" data-thread="${lane.thread}" data-rows="${rows}">\n${parts.join('\n')}\n</g>`;
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

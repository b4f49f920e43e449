import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { renderChart, type ChartSpec } from '../src/compare/chart.js';
import { compareChart, compareChartTitle } from '../src/compare/compare-chart.js';
import type { ChildRun } from '../src/compare/child-run.js';
import { inFlight, planConfigs } from '../src/compare/plan.js';
import { buildRows } from '../src/compare/rows.js';
import type { Mode } from '../src/types.js';

/**
 * Node has no XML parser: this checks what a parser would reject in the markup
 * renderChart writes (unbalanced tags, unquoted attributes, raw `<` or `&`).
 */
function assertWellFormed(xml: string): void {
  const open: string[] = [];
  let roots = 0;
  const tokens = xml.trim().match(/<[^<>]*>|[^<>]+|[<>]/g) ?? [];
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      assert.doesNotMatch(token, /&(?!(amp|lt|gt|quot|apos);)/, `raw & in text ${JSON.stringify(token)}`);
      assert.ok(open.length > 0 || token.trim() === '', `text outside the root element: ${JSON.stringify(token)}`);
      continue;
    }
    const tag = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>$/.exec(token);
    assert.ok(tag, `malformed tag ${JSON.stringify(token)}`);
    const [, closing, name, , selfClosing] = tag;
    if (closing) {
      assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
      continue;
    }
    if (open.length === 0) assert.equal(++roots, 1, 'a second root element');
    if (!selfClosing) open.push(name!);
  }
  assert.deepEqual(open, [], 'elements left open');
}

interface Line {
  points: [number, number][];
  dashed: boolean;
  stroke: string;
}

/** Each series' polyline with the colour of the group it sits in. */
function polylines(svg: string): Line[] {
  return [...svg.matchAll(/<g stroke="([^"]+)"[^>]*>\n<polyline([^>]*)\/>/g)].map(([, stroke, attributes]) => ({
    stroke: stroke!,
    dashed: attributes!.includes('stroke-dasharray'),
    points: /points="([^"]*)"/
      .exec(attributes!)![1]!
      .split(' ')
      .map((pair) => pair.split(',').map(Number) as [number, number]),
  }));
}

function textsOf(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, content]) => content!);
}

const spec: ChartSpec = {
  title: 'Threads <vs> async & "peers"',
  xLabel: 'requests in flight',
  yLabel: 'wall time (ms)',
  series: [
    {
      name: 'threads',
      points: [
        { x: 1, y: 2100, min: 2000, max: 2300 },
        { x: 2, y: 1100, min: 1050, max: 1200 },
        { x: 4, y: 600, min: 560, max: 650 },
      ],
    },
    {
      name: 'curl <parallel>',
      points: [
        { x: 4, y: 620 },
        { x: 1, y: 2200 },
        { x: 2, y: 1150 },
      ],
    },
    {
      name: 'lower bound',
      dashed: true,
      points: [
        { x: 1, y: 2000 },
        { x: 2, y: 1000 },
        { x: 4, y: 500 },
      ],
    },
  ],
};

describe('renderChart', () => {
  const svg = renderChart(spec);

  it('writes a standalone SVG document', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 \d+ \d+"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assertWellFormed(svg);
  });

  it('escapes the title, labels and series names', () => {
    assert.ok(svg.includes('Threads &lt;vs&gt; async &amp; &quot;peers&quot;'));
    assert.ok(textsOf(svg).includes('curl &lt;parallel&gt;'));
    assert.ok(!svg.includes('<vs>'));
  });

  it('draws one line per series, through each of its points, in distinct colours', () => {
    const lines = polylines(svg);
    assert.deepEqual(
      lines.map((line) => line.points.length),
      spec.series.map((series) => series.points.length),
    );
    assert.equal(new Set(lines.map((line) => line.stroke)).size, spec.series.length);
  });

  it('dashes only the series marked dashed, in the plot and in the legend', () => {
    assert.deepEqual(
      polylines(svg).map((line) => line.dashed),
      [false, false, true],
    );
    assert.equal(svg.match(/stroke-dasharray/g)?.length, 2);
  });

  it('names every series in the legend', () => {
    const texts = textsOf(svg);
    for (const name of ['threads', 'curl &lt;parallel&gt;', 'lower bound']) assert.ok(texts.includes(name), name);
  });

  it('puts larger x to the right and larger y higher up, in x order whatever the input order', () => {
    const [, curl] = polylines(svg);
    const xs = curl!.points.map(([x]) => x);
    const ys = curl!.points.map(([, y]) => y);
    assert.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
    );
    assert.ok(ys[0]! < ys[1]! && ys[1]! < ys[2]!, `y pixels ${ys} should grow as times fall`);
  });

  it('draws an error bar with two caps for each point that has a spread', () => {
    const group = (name: string) => {
      const index = spec.series.findIndex((series) => series.name === name);
      return svg.split('<polyline')[index + 1]!.split('</g>')[0]!;
    };
    assert.equal(group('threads').match(/<line /g)?.length, 3 * 3);
    assert.equal(group('curl <parallel>').match(/<line /g), null);
  });

  it('starts the y axis at zero and labels the ticks', () => {
    const texts = textsOf(svg);
    assert.ok(texts.includes('0'));
    assert.ok(texts.includes('2000'));
  });

  it('spaces doublings evenly on a log2 x axis and labels the top when it is no power of two', () => {
    const log = renderChart({
      ...spec,
      xScale: 'log2',
      series: [{ name: 'ladder', points: [1, 2, 4, 8, 16, 20].map((x) => ({ x, y: 1000 / x })) }],
    });
    assertWellFormed(log);
    const xs = polylines(log)[0]!.points.map(([x]) => x);
    const steps = xs.slice(0, 5).map((x, index) => xs[index + 1]! - x);
    for (const step of steps.slice(1, 4)) assert.ok(Math.abs(step - steps[0]!) < 0.2, `steps ${steps}`);
    assert.ok(steps[4]! < steps[0]!, 'from 16 to 20 is less than a doubling');
    const texts = textsOf(log);
    for (const tick of ['1', '2', '4', '8', '16', '20']) assert.ok(texts.includes(tick), `tick ${tick}`);
  });

  it('spaces x evenly on the default linear axis', () => {
    const xs = polylines(svg)[2]!.points.map(([x]) => x);
    assert.ok(Math.abs(xs[2]! - xs[1]! - 2 * (xs[1]! - xs[0]!)) < 0.2, `x pixels ${xs}`);
  });

  it('refuses a chart without points, non-finite values, and a log2 axis at zero', () => {
    assert.throws(() => renderChart({ ...spec, series: [] }), /no points/);
    assert.throws(() => renderChart({ ...spec, series: [{ name: 'a', points: [{ x: 1, y: NaN }] }] }), RangeError);
    assert.throws(() => renderChart({ ...spec, xScale: 'log2', series: [{ name: 'a', points: [{ x: 0, y: 1 }] }] }), /positive/);
  });
});

describe('the compare chart', () => {
  /** A comparison of `modes` (in that order) at 1, 2, 4 and 20 threads, 20 flags at 300 ms. */
  const chartOf = (modes: Mode[]) => {
    const configs = planConfigs({ modes, threads: [1, 2, 4, 20], concurrency: 1, partitions: ['dynamic'] });
    const runs = configs.map((config): ChildRun[] => [{ wallMs: 300 * Math.ceil(20 / inFlight(config)) + 400, peakRssBytes: 2 ** 26 }]);
    return renderChart(compareChart(buildRows(configs, runs, { flags: 20, latencyMs: 300 }), 't'));
  };
  const legendColours = (svg: string) =>
    Object.fromEntries([...svg.matchAll(/<line [^>]*stroke="([^"]+)"[^>]*\/>\n<text [^>]*>([^<]*)<\/text>/g)].map(([, stroke, name]) => [name!, stroke!]));

  it('draws the lower bound as steps: straight down at each measured x, across to the next', () => {
    const svg = chartOf(['threads', 'async']);
    const bound = polylines(svg).find((line) => line.dashed)!;
    const measured = polylines(svg)
      .find((line) => !line.dashed)!
      .points.map(([x]) => x);
    assert.equal(measured.length, 4);
    const segments = bound.points.slice(1).map((point, index) => [bound.points[index]!, point] as const);
    for (const [index, x] of measured.entries()) {
      const down = segments.filter(([from, to]) => from[0] === x && to[0] === x && to[1] > from[1]);
      // The last x has no next value to fall to: the line ends there, at its bound.
      if (index < measured.length - 1) assert.equal(down.length, 1, `a vertical at x = ${x}: ${JSON.stringify(bound.points)}`);
      else assert.deepEqual(bound.points.at(-1)![0], x);
    }
    for (const [from, to] of segments) assert.ok(from[0] === to[0] || from[1] === to[1], 'only verticals and horizontals');
    // At x = 2 the line reads the bound at 2 (3.0 s), not a point on a slope from 1 to 4.
    const level = segments.find(([from, to]) => from[1] === to[1] && from[0] === measured[0])![0][1];
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="#ffffff"\/>/g)].map(([, cx, cy]) => [Number(cx), Number(cy)]);
    assert.deepEqual(
      circles.find(([cx]) => cx === measured[1]),
      [measured[1], level],
      'the step from 1 to 2 is at the bound of 2',
    );
  });

  it('draws a rising bound in steps that never pass over it: across at the lower value, then up at the next x', () => {
    const rising = renderChart({
      title: 't',
      xLabel: 'codes',
      yLabel: 's',
      series: [{ name: 'lower bound', dashed: true, steps: true, points: [10, 100, 300].map((x) => ({ x, y: Math.ceil(x / 20) * 0.1 })) }],
    });
    const points = polylines(rising)[0]!.points;
    assert.equal(points.length, 5, 'three points and a corner between each two');
    const [[x10, y10], corner1, [x100, y100], corner2, [x300]] = points as [[number, number], [number, number], [number, number], [number, number], [number, number]];
    assert.deepEqual(corner1, [x100, y10], 'across at the bound of 10, then up at 100');
    assert.deepEqual(corner2, [x300, y100], 'across at the bound of 100, then up at 300');
    assert.ok(x10 < x100 && x100 < x300);
  });

  it('gives each mode one colour whatever the order of --modes', () => {
    const one = legendColours(chartOf(['threads', 'async', 'sequential']));
    const other = legendColours(chartOf(['sequential', 'async', 'threads']));
    assert.deepEqual(Object.keys(one).sort(), ['async', 'lower bound', 'sequential', 'threads']);
    assert.deepEqual(other, one);
    assert.equal(new Set(Object.values(one)).size, 4);
    const strokes = (svg: string) => polylines(svg).map((line) => line.stroke);
    assert.deepEqual(strokes(chartOf(['async', 'threads'])), strokes(chartOf(['threads', 'async'])));
  });

  it('names the latency and the --png width in its title when there are', () => {
    assert.equal(compareChartTitle(20, 'flags', 300, undefined), '20 flags, 300 ms latency: wall time by requests in flight');
    assert.equal(compareChartTitle(257, 'flags', 0, 640), '257 flags, no latency, PNG 640 px: wall time by requests in flight');
    assert.equal(compareChartTitle(3, 'files', undefined, 64), '3 files, PNG 64 px: wall time by requests in flight');
  });

  it('leaves no empty column beside the plot: the legend sits under the title', () => {
    const svg = chartOf(['threads', 'async']);
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    const right = Math.max(...polylines(svg).flatMap((line) => line.points.map(([x]) => x)));
    assert.ok(width - right < 0.1 * width, `the last point at ${right} of ${width} px`);
  });
});

describe('the well-formedness check', () => {
  it('rejects what an XML parser would', () => {
    for (const broken of ['<svg><g></svg>', '<svg><text>a < b</text></svg>', '<svg><text>a & b</text></svg>', '<svg><line x1=3/></svg>', '<svg/><svg/>']) {
      assert.throws(() => assertWellFormed(broken), assert.AssertionError, broken);
    }
    assertWellFormed('<svg><text a="&amp;">x &lt; y</text></svg>');
  });
});

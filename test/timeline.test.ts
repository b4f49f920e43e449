import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lanesOf, type FlagSpan, type StartupSpan, type Timeline } from '../src/report/timeline-spans.js';
import { timelineSvg } from '../src/report/timeline-svg.js';
import { assertWellFormedXml } from './helpers/xml.js';

// An epoch time like the ones a run records, fraction and all.
const origin = 1_764_000_000_000.25;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every element of a class, with its attributes. */
function elements(svg: string, className: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<\\w+ ([^>]*class="${className}"[^>]*?)/?>`, 'g'))].map(([, attributes]) =>
    Object.fromEntries([...attributes!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name, value]) => [name!, value!])),
  );
}

const box = (attributes: Record<string, string>): Box => ({
  x: Number(attributes.x),
  y: Number(attributes.y),
  width: Number(attributes.width),
  height: Number(attributes.height),
});

const textsOf = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, content]) => content!);

/** A run of `flags` flags on `threads` workers with `inFlight` requests each, renders after the downloads when `render`. */
function run(options: { flags: number; threads: number; inFlight: number; render: boolean }): { flags: FlagSpan[]; startups: StartupSpan[] } {
  const startups = Array.from({ length: options.threads }, (_, index) => ({ thread: index + 1, start: origin + 40 + index * 9, end: origin + 95 + index * 12 }));
  const flags = Array.from({ length: options.flags }, (_, index): FlagSpan => {
    const worker = startups[index % options.threads]!;
    const round = Math.floor(index / (options.threads * options.inFlight));
    const start = worker.end + round * 330 + (index % 7);
    const end = start + 300 + (index % 5) * 6 + (options.render ? 20 : 0);
    const status = index % 11 === 3 ? 'not_found' : index % 13 === 5 ? 'error' : 'ok';
    return {
      cc: `c${index}`,
      status,
      thread: worker.thread,
      start,
      end,
      ...(options.render && status === 'ok' ? { render: { start: end - 20, end } } : {}),
    };
  });
  return { flags, startups };
}

describe('lanesOf', () => {
  it('makes one lane per thread, the main thread first, with the flags in start order', () => {
    const flag = (cc: string, thread: number, start: number): FlagSpan => ({ cc, status: 'ok', thread, start, end: start + 10 });
    const lanes = lanesOf({
      flags: [flag('a', 3, 50), flag('b', 1, 20), flag('c', 0, 5), flag('d', 3, 30), flag('e', 1, 10)],
      startups: [
        { thread: 3, start: 1, end: 29 },
        { thread: 1, start: 2, end: 9 },
      ],
    });
    assert.deepEqual(
      lanes.map((lane) => [lane.thread, lane.startup?.end, lane.flags.map((each) => each.cc)]),
      [
        [0, undefined, ['c']],
        [1, 9, ['e', 'b']],
        [3, 29, ['d', 'a']],
      ],
    );
  });

  it('gives a lane to a worker that started but got no flag', () => {
    assert.deepEqual(lanesOf({ flags: [], startups: [{ thread: 7, start: 1, end: 2 }] }), [{ thread: 7, startup: { start: 1, end: 2 }, flags: [] }]);
  });

  it('refuses two start-ups for one thread', () => {
    const startup = { thread: 2, start: 1, end: 2 };
    assert.throws(() => lanesOf({ flags: [], startups: [startup, startup] }), /thread 2 has two start-up spans/);
  });
});

describe('timelineSvg', () => {
  const spans = run({ flags: 40, threads: 4, inFlight: 2, render: true });
  const timeline: Timeline = { title: '40 flags, 4 threads × 2', origin, lanes: lanesOf(spans) };
  const svg = timelineSvg(timeline);

  it('writes a well-formed standalone SVG document with the title line', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 \d+ [\d.]+"/);
    assertWellFormedXml(svg);
    assert.ok(textsOf(svg).includes('40 flags, 4 threads × 2'));
  });

  it('draws one lane per distinct thread, labelled main or thread N', () => {
    const withMain = timelineSvg({ ...timeline, lanes: lanesOf({ ...spans, flags: [...spans.flags, { cc: 'zz', status: 'ok', thread: 0, start: origin + 5, end: origin + 9 }] }) });
    assert.deepEqual(
      elements(withMain, 'lane').map((lane) => lane['data-thread']),
      ['0', '1', '2', '3', '4'],
    );
    const texts = textsOf(withMain);
    for (const label of ['main', 'thread 1', 'thread 4']) assert.ok(texts.includes(label), label);
  });

  it('draws one bar per finished flag, whatever its status, one render part per rendered flag, one start-up per worker', () => {
    const bars = elements(svg, 'flag');
    assert.equal(bars.length, spans.flags.length);
    assert.deepEqual(bars.map((bar) => bar['data-cc']).sort(), spans.flags.map((flag) => flag.cc).sort());
    assert.deepEqual(new Set(bars.map((bar) => bar['data-status'])), new Set(['ok', 'not_found', 'error']));
    assert.equal(elements(svg, 'render').length, spans.flags.filter((flag) => flag.render).length);
    assert.equal(elements(svg, 'startup').length, 4);
  });

  it('sets the render part apart, at the end of its bar and inside it', () => {
    const bars = elements(svg, 'flag');
    const renders = elements(svg, 'render');
    assert.notEqual(renders[0]!.fill, bars[0]!.fill);
    for (const render of renders.map(box)) {
      const bar = bars.map(box).find((each) => each.y === render.y && each.x <= render.x && render.x + render.width <= each.x + each.width + 0.2);
      assert.ok(bar, `render part at ${JSON.stringify(render)} lies in no bar`);
      assert.ok(Math.abs(bar.x + bar.width - (render.x + render.width)) <= 0.2, 'the render ends where its bar ends');
    }
  });

  it('puts later times further right on an axis in ms from the process start', () => {
    const bars = elements(svg, 'flag');
    const first = spans.flags.reduce((a, b) => (a.start <= b.start ? a : b));
    const last = spans.flags.reduce((a, b) => (a.start >= b.start ? a : b));
    const x = (cc: string) => Number(bars.find((bar) => bar['data-cc'] === cc)!.x);
    assert.ok(x(first.cc) < x(last.cc));
    const ticks = textsOf(svg)
      .filter((text) => /^\d+$/.test(text))
      .map(Number);
    assert.equal(ticks[0], 0);
    assert.deepEqual(
      ticks,
      [...ticks].sort((a, b) => a - b),
    );
    assert.ok(ticks.at(-1)! >= Math.max(...spans.flags.map((flag) => flag.end)) - origin);
    assert.ok(textsOf(svg).includes('ms since the process start'));
  });

  it('stacks the requests a thread has in flight at once on rows of their own', () => {
    const overlapping = timelineSvg({
      title: 'one thread, three at once',
      origin,
      lanes: lanesOf({
        flags: [0, 10, 20, 400].map((at, index): FlagSpan => ({ cc: `f${index}`, status: 'ok', thread: 1, start: origin + at, end: origin + at + 300 })),
        startups: [],
      }),
    });
    const ys = elements(overlapping, 'flag').map((bar) => Number(bar.y));
    assert.equal(new Set(ys.slice(0, 3)).size, 3, 'three overlapping bars on three rows');
    assert.equal(ys[3], ys[0], 'a bar that starts after the first ended reuses its row');
  });

  it('draws a thread that ran one flag at a time on one row, each start at the last end to the digit', () => {
    const starts = [0, 12.125, 30.5, 30.5 + 1e-9, 41];
    const flags = starts.map((at, index): FlagSpan => ({ cc: `f${index}`, status: 'ok', thread: 3, start: origin + at, end: origin + (starts[index + 1] ?? 50) }));
    const one = timelineSvg({ title: 't', origin, lanes: lanesOf({ flags, startups: [{ thread: 3, start: origin - 20, end: origin }] }) });
    assert.equal(elements(one, 'lane')[0]!['data-rows'], '1');
    assert.equal(new Set(elements(one, 'flag').map((bar) => bar.y)).size, 1);
  });

  it('names and orders the lanes by worker number in the pool, and keeps the raw thread ids as data', () => {
    const flag = (thread: number): FlagSpan => ({ cc: `f${thread}`, status: 'ok', thread, start: origin + 1, end: origin + 5 });
    const lanes = lanesOf(
      { flags: [flag(7), flag(3), flag(5), flag(0)], startups: [] },
      new Map([
        [7, 1],
        [3, 3],
        [5, 2],
      ]),
    );
    const named = timelineSvg({ title: 't', origin, lanes });
    assert.deepEqual(
      elements(named, 'lane').map((lane) => lane['data-thread']),
      ['0', '7', '5', '3'],
    );
    const labels = textsOf(named).filter((text) => /^(main|thread \d+)$/.test(text));
    assert.deepEqual(labels, ['main', 'thread 1', 'thread 2', 'thread 3']);
  });

  describe('the CPU track', () => {
    // One thread, three flags in flight: their downloads overlap, their renders (the thread's CPU) follow one another.
    const flag = (cc: string, start: number, renderStart: number, end: number): FlagSpan => ({
      cc,
      status: 'ok',
      thread: 1,
      start: origin + start,
      end: origin + end,
      render: { start: origin + renderStart, end: origin + end },
    });
    const flags = [flag('a', 0, 100, 200), flag('b', 10, 200.0001, 300), flag('c', 20, 300, 400)];
    const cpu = timelineSvg({ title: 't', origin, lanes: lanesOf({ flags, startups: [] }) });
    const x = (at: number) => {
      // The axis runs from 0 to the round tick past 400: read it off the bars.
      const a = box(elements(cpu, 'flag').find((bar) => bar['data-cc'] === 'a')!);
      const c = box(elements(cpu, 'flag').find((bar) => bar['data-cc'] === 'c')!);
      return a.x + ((at - 0) / 400) * (c.x + c.width - a.x);
    };

    it('draws what the thread rendered on a track of its own above the rows, joined where renders follow one another', () => {
      assertWellFormedXml(cpu);
      const track = [...cpu.matchAll(/<g class="cpu"[^>]*>([\s\S]*?)<\/g>/g)].map(([, inner]) => [...inner!.matchAll(/<rect ([^>]*)\/>/g)]);
      assert.equal(track.length, 1, 'one track in the one lane');
      assert.equal(track[0]!.length, 1, 'three renders end to end read as one band');
      const band = box(Object.fromEntries([...track[0]![0]![1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k!, v!])));
      assert.ok(Math.abs(band.x - x(100)) < 0.5 && Math.abs(band.x + band.width - x(400)) < 0.5, JSON.stringify(band));
      assert.ok(band.y + band.height <= Math.min(...elements(cpu, 'flag').map((bar) => Number(bar.y))), 'above every bar');
      assert.ok(textsOf(cpu).includes('CPU'));
    });

    it('hatches the part of a bar its thread spent rendering the others, and names it in the legend', () => {
      const waits = elements(cpu, 'cpu-wait').map(box);
      const bars = Object.fromEntries(elements(cpu, 'flag').map((bar) => [bar['data-cc'], box(bar)]));
      // a rendered first and waited for nobody; b waited for a's render, c for a's and b's.
      assert.deepEqual(
        waits.map((wait) => Object.entries(bars).find(([, bar]) => bar.y === wait.y)![0]),
        ['b', 'c'],
      );
      const [b, c] = waits;
      assert.ok(Math.abs(b!.x - x(100)) < 0.5 && Math.abs(b!.x + b!.width - x(200)) < 0.5, JSON.stringify(b));
      assert.ok(Math.abs(c!.x - x(100)) < 0.5 && Math.abs(c!.x + c!.width - x(300)) < 0.5, JSON.stringify(c));
      assert.match(cpu, /<pattern id="cpu-wait"/);
      assert.ok(elements(cpu, 'cpu-wait').every((wait) => wait.fill === 'url(#cpu-wait)'));
    });

    it('hatches nothing for a thread that ran one flag at a time', () => {
      const oneAtATime = [flag('a', 0, 100, 200), flag('b', 200, 290, 300), flag('c', 300, 390, 400)];
      const sequential = timelineSvg({ title: 't', origin, lanes: lanesOf({ flags: oneAtATime, startups: [] }) });
      assert.equal(elements(sequential, 'cpu-wait').length, 0);
      assert.ok(!sequential.includes('<pattern'));
      assert.equal(elements(sequential, 'render').length, 3);
    });
  });

  it('names in the legend only what the timeline holds', () => {
    const legend = (text: string) => textsOf(text.split('<g class="legend"')[1]!.split('</g>')[0]!);
    assert.deepEqual(legend(svg), [
      'worker start-up (creation to first request)',
      'flag (request to file in place)',
      'not found',
      'error',
      'flag held up: its thread rendering another',
      'render to PNG (on the CPU row: every render of the thread)',
    ]);
    const plain = timelineSvg({ title: 't', origin, lanes: lanesOf({ flags: [{ cc: 'br', status: 'ok', thread: 0, start: origin, end: origin + 5 }], startups: [] }) });
    assert.deepEqual(legend(plain), ['flag (request to file in place)']);
  });

  it('escapes the title and codes, and replaces characters XML cannot hold', () => {
    const odd = timelineSvg({
      title: `<script>&"it's"\u0007`,
      origin,
      lanes: lanesOf({ flags: [{ cc: 'a"<b>&', status: 'error', thread: 2, start: origin + 1, end: origin + 2 }], startups: [] }),
    });
    assertWellFormedXml(odd);
    assert.ok(odd.includes('&lt;script&gt;&amp;&quot;it&apos;s&quot;\uFFFD'));
    assert.ok(odd.includes('data-cc="a&quot;&lt;b&gt;&amp;"'));
    assert.ok(!odd.includes('<script>'));
  });

  it('stays readable at 700 flags over 64 lanes: every lane labelled, bars at least 2 px high, a page or two tall', () => {
    const big = run({ flags: 700, threads: 64, inFlight: 4, render: true });
    const many = timelineSvg({ title: '700 flags, 64 threads × 4', origin, lanes: lanesOf(big) });
    assertWellFormedXml(many);
    assert.equal(elements(many, 'lane').length, 64);
    assert.equal(elements(many, 'flag').length, 700);
    for (const thread of [1, 32, 64]) assert.ok(textsOf(many).includes(`thread ${thread}`));
    assert.ok(elements(many, 'flag').every((bar) => Number(bar.height) >= 2));
    const height = Number(/height="([\d.]+)"/.exec(many)![1]);
    assert.ok(height <= 1600, `${height} px tall`);
  });

  it('refuses a timeline with nothing to draw, and spans that are not forward stretches of finite times', () => {
    assert.throws(() => timelineSvg({ title: 't', origin, lanes: [] }), /no spans/);
    const flag = (start: number, end: number): FlagSpan => ({ cc: 'br', status: 'ok', thread: 1, start, end });
    assert.throws(() => timelineSvg({ title: 't', origin, lanes: lanesOf({ flags: [flag(origin + 5, origin + 4)], startups: [] }) }), /flag br/);
    assert.throws(() => timelineSvg({ title: 't', origin, lanes: lanesOf({ flags: [flag(Number.NaN, origin)], startups: [] }) }), RangeError);
    assert.throws(
      () => timelineSvg({ title: 't', origin, lanes: lanesOf({ flags: [{ ...flag(origin, origin + 9), render: { start: origin + 9, end: origin + 1 } }], startups: [] }) }),
      /render of flag br/,
    );
  });
});

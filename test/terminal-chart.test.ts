import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartCharset, terminalBarChart, type LabelledValue } from '../src/compare/terminal-chart.js';

const EIGHTHS = ' ▏▎▍▌▋▊▉█';

const medians: LabelledValue[] = [
  { label: 'threads 1×20', value: 600 },
  { label: 'threads 2×10', value: 2400 },
  { label: 'async 20', value: 1234 },
  { label: 'sequential', value: 6350 },
];

/** The bar at the end of a line, in eighths of a column (ASCII: whole columns). */
function barLength(line: string): number {
  const bar = /[█▏▎▍▌▋▊▉#]*$/.exec(line)![0];
  return [...bar].reduce((sum, char) => sum + (char === '#' ? 1 : EIGHTHS.indexOf(char)), 0);
}

describe('chartCharset', () => {
  it('draws blocks when the locale names UTF-8, whatever the case or spelling', () => {
    for (const env of [{ LANG: 'en_US.UTF-8' }, { LANG: 'de_DE.utf8' }, { LC_ALL: 'C.UTF-8' }, { LC_CTYPE: 'pt_BR.Utf-8', LANG: 'C' }]) {
      assert.equal(chartCharset(env), 'unicode', JSON.stringify(env));
    }
  });

  it('falls back to ASCII without a UTF-8 locale, with LC_ALL over LC_CTYPE over LANG', () => {
    for (const env of [{}, { LANG: 'C' }, { LANG: 'en_US.ISO-8859-1' }, { LC_ALL: 'C', LANG: 'en_US.UTF-8' }, { LC_CTYPE: 'POSIX', LANG: 'en_US.UTF-8' }]) {
      assert.equal(chartCharset(env), 'ascii', JSON.stringify(env));
    }
  });

  it('falls back to ASCII when NO_COLOR is set or TERM is dumb, even in a UTF-8 locale', () => {
    assert.equal(chartCharset({ LANG: 'en_US.UTF-8', NO_COLOR: '1' }), 'ascii');
    assert.equal(chartCharset({ LANG: 'en_US.UTF-8', TERM: 'dumb' }), 'ascii');
    // The NO_COLOR convention: an empty value does not count.
    assert.equal(chartCharset({ LANG: 'en_US.UTF-8', NO_COLOR: '' }), 'unicode');
  });

  it('reads the process environment by default', () => {
    assert.equal(chartCharset(), chartCharset(process.env));
  });
});

describe('terminalBarChart', () => {
  for (const charset of ['unicode', 'ascii'] as const) {
    describe(charset, () => {
      const lines = terminalBarChart(medians, { width: 60, charset });

      it('draws one line per value, the longest bar filling the width', () => {
        assert.equal(lines.length, medians.length);
        const longest = lines[3]!;
        assert.equal(longest.length, 60);
        assert.match(longest, charset === 'unicode' ? / {2}█+$/ : / {2}#+$/);
        for (const line of lines) assert.ok(line.length <= 60, line);
      });

      it('draws bars in proportion to the values', () => {
        const unit = charset === 'unicode' ? 8 : 1;
        const full = barLength(lines[3]!);
        for (const [index, { value }] of medians.entries()) {
          assert.ok(Math.abs(barLength(lines[index]!) - (value / 6350) * full) <= 0.5, `${lines[index]} (${unit} per column)`);
        }
      });

      it('aligns the labels, and the values in seconds after them', () => {
        const valueStarts = lines.map((line) => line.search(/\d+\.\d\d s/));
        assert.equal(new Set(valueStarts).size, 1, lines.join('\n'));
        for (const [index, { label }] of medians.entries()) assert.ok(lines[index]!.startsWith(label));
        assert.deepEqual(
          lines.map((line) => /(\d+\.\d\d) s/.exec(line)![1]),
          ['0.60', '2.40', '1.23', '6.35'],
        );
        const barStarts = lines.map((line) => line.indexOf(' s  ') + 4);
        assert.equal(new Set(barStarts).size, 1);
      });
    });
  }

  it('uses eighth blocks for the fraction of a column, and nothing but ASCII in ASCII', () => {
    const [half] = terminalBarChart(
      [
        { label: 'a', value: 1 },
        { label: 'b', value: 2 },
      ],
      { width: 20, charset: 'unicode' },
    );
    // Bars get 20 - 1 - 6 - 4 = 9 columns: half is 4.5, four full blocks and a half block.
    assert.ok(half!.endsWith('  ████▌'), half);
    const asciiLabels = medians.map(({ label, value }) => ({ label: label.replace('×', 'x'), value }));
    for (const line of terminalBarChart(asciiLabels, { width: 50, charset: 'ascii' })) assert.match(line, /^[\x20-\x7e]*$/);
  });

  it('leaves a zero without a bar and shows a sliver for a value too small for one column', () => {
    const lines = terminalBarChart(
      [
        { label: 'none', value: 0 },
        { label: 'tiny', value: 1 },
        { label: 'big', value: 100_000 },
      ],
      { width: 40, charset: 'unicode' },
    );
    assert.ok(lines[0]!.endsWith('0.00 s'), lines[0]);
    assert.ok(lines[1]!.endsWith('  ▏'), lines[1]);
    assert.deepEqual(terminalBarChart([{ label: 'x', value: 0 }], { width: 20, charset: 'ascii' }), ['x  0.00 s']);
  });

  it('keeps a bar of one column when the labels take the whole width', () => {
    assert.deepEqual(terminalBarChart([{ label: 'a very long label indeed', value: 5000 }], { width: 10, charset: 'ascii' }), ['a very long label indeed  5.00 s  #']);
  });

  it('draws nothing for no values, and refuses a bad width or a value that is no time', () => {
    assert.deepEqual(terminalBarChart([], { width: 40, charset: 'unicode' }), []);
    assert.throws(() => terminalBarChart(medians, { width: 0, charset: 'ascii' }), RangeError);
    assert.throws(() => terminalBarChart([{ label: 'x', value: -1 }], { width: 40, charset: 'ascii' }), /x has the value -1/);
    assert.throws(() => terminalBarChart([{ label: 'x', value: Number.NaN }], { width: 40, charset: 'ascii' }), RangeError);
  });
});

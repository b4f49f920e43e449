import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart } from '../src/compare/chart.js';
import { assertWellFormedXml } from './helpers/xml.js';

describe('assertWellFormedXml', () => {
  it('accepts well-formed documents', () => {
    for (const good of [
      '<svg/>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a chart -->\n<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>\n',
      `<svg a="1" b='it"s' c = "x&amp;y&#60;&#x3E;"><text>a &lt; b &gt; c, 'quoted' "too"</text><!----></svg>`,
      '<a><b><c>deep</c></b><b/></a>',
    ]) {
      assert.doesNotThrow(() => assertWellFormedXml(good), good);
    }
  });

  it('accepts the compare chart, escaped names and all', () => {
    const svg = renderChart({
      title: 'a <b> & "c"',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: "it's <1>", points: [{ x: 1, y: 2, min: 1, max: 3 }] }],
    });
    assert.doesNotThrow(() => assertWellFormedXml(svg));
  });

  it('rejects what an XML parser would', () => {
    for (const [bad, why] of [
      ['', /no root/],
      ['text', /no root/],
      ['<svg><g></svg>', /<\/svg> closes <g>/],
      ['<svg>', /never closed/],
      ['<svg/><svg/>', /after the root/],
      ['<svg/>trailing', /after the root/],
      ['<svg><text>a < b</text></svg>', /expected element name/],
      ['<svg><text>a & b</text></svg>', /'&' that starts no reference/],
      ['<svg><text>&nbsp;</text></svg>', /'&' that starts no reference/],
      ['<svg><text>&#0;</text></svg>', /does not allow/],
      ['<svg><text>]]></text></svg>', /\]\]>/],
      ['<svg><text>bell \u0007</text></svg>', /U\+0007/],
      ['<svg x=3/>', /not quoted/],
      ['<svg x="1" x="2"/>', /repeated/],
      ['<svg x="1"y="2"/>', /whitespace/],
      ['<svg x="a<b"/>', /'<' in the value/],
      ['<svg x="a&b"/>', /'&' that starts no reference/],
      ['<svg><!-- a -- b --></svg>', /"--" inside/],
      ['<svg><![CDATA[x]]></svg>', /not in the subset/],
      ['<?xml version="1.0"?><?pi?><svg/>', /not in the subset/],
      ['<!DOCTYPE svg><svg/>', /not in the subset/],
      ['<?xml version=1.0?><svg/>', /declaration/],
      ['<1svg/>', /element name/],
    ] as const) {
      assert.throws(() => assertWellFormedXml(bad), why, JSON.stringify(bad));
    }
  });
});

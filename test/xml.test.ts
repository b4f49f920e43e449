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

  it('rejects what an XML parser would, saying what and where', () => {
    for (const [bad, why] of [
      ['', /must contain a root element/],
      ['text', /text data outside of root node/],
      ['<svg><g></svg>', /1:14: unexpected close tag/],
      ['<svg>', /unclosed tag: svg/],
      ['<svg/><svg/>', /only one root/],
      ['<svg/>trailing', /outside of root node/],
      ['<svg><text>a < b</text></svg>', /disallowed character in tag name/],
      ['<svg><text>a & b</text></svg>', /unclosed tag: text/],
      ['<svg><text>&nbsp;</text></svg>', /undefined entity/],
      ['<svg><text>&#0;</text></svg>', /malformed character entity/],
      ['<svg><text>]]></text></svg>', /"\]\]>" is disallowed/],
      ['<svg><text>bell \u0007</text></svg>', /1:17: disallowed character/],
      ['<svg x=3/>', /unquoted attribute value/],
      ['<svg x="1" x="2"/>', /duplicate attribute: x/],
      ['<svg x="1"y="2"/>', /no whitespace between attributes/],
      ['<svg x="a<b"/>', /disallowed character/],
      ['<svg x="a&b"/>', /unexpected end/],
      ['<svg><!-- a -- b --></svg>', /malformed comment/],
      ['<svg><![CDATA[x]]></svg>', /CDATA section: the project writes none/],
      ['<?xml version="1.0"?><?pi?><svg/>', /processing instruction: the project writes none/],
      ['<!DOCTYPE svg><svg/>', /DOCTYPE: the project writes none/],
      ['<?xml version=1.0?><svg/>', /value must be quoted/],
      ['<1svg/>', /disallowed character in tag name/],
      ['<svg xlink:href="#a"/>', /unbound namespace prefix: "xlink"/],
    ] as const) {
      assert.throws(() => assertWellFormedXml(bad), why, JSON.stringify(bad));
    }
  });
});

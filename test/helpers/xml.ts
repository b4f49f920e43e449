/**
 * A strict check that a document is well-formed XML, for the SVG that the project writes (Node
 * has no XML parser). It reads a subset of XML 1.0: an optional XML declaration, comments,
 * elements, attributes quoted either way, text, character references and the five predefined
 * entities. Everything else a parser may accept (DOCTYPE, CDATA sections, processing
 * instructions) is reported too: the project writes none of it. Throws an Error that says what is
 * wrong and where.
 */
export function assertWellFormedXml(xml: string): void {
  new Checker(xml).document();
}

// XML 1.0's Char production: anything else may not appear in a document, not even escaped.
const NOT_A_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME = /[A-Za-z_:][\w.:-]*/y;
const SPACE = /[ \t\r\n]*/y;
const OUTSIDE_SUBSET = 'CDATA, DOCTYPE or a processing instruction: not in the subset checked';
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/y;

class Checker {
  private at = 0;

  constructor(private readonly xml: string) {}

  document(): void {
    const bad = NOT_A_CHAR.exec(this.xml);
    if (bad) this.fail(`character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} is not allowed in XML`, bad.index);
    if (this.xml.startsWith('<?xml')) this.declaration();
    this.misc();
    if (this.xml.startsWith('<!', this.at) || this.xml.startsWith('<?', this.at)) this.fail(OUTSIDE_SUBSET);
    if (!this.xml.startsWith('<', this.at) || this.xml.startsWith('</', this.at)) this.fail('no root element');
    this.element();
    this.misc();
    if (this.at < this.xml.length) this.fail('content after the root element');
  }

  /** Whitespace and comments, the only things allowed around the root element. */
  private misc(): void {
    for (;;) {
      this.space();
      if (!this.xml.startsWith('<!--', this.at)) return;
      this.comment();
    }
  }

  private declaration(): void {
    const end = this.xml.indexOf('?>');
    if (end < 0 || !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][\w.-]*")?(\s+standalone="(yes|no)")?\s*\?>$/.test(this.xml.slice(0, end + 2))) {
      this.fail('malformed XML declaration');
    }
    this.at = end + 2;
  }

  private comment(): void {
    const end = this.xml.indexOf('-->', this.at + 4);
    if (end < 0) this.fail('comment never closed');
    const body = this.xml.slice(this.at + 4, end);
    if (body.includes('--') || body.endsWith('-')) this.fail('"--" inside a comment');
    this.at = end + 3;
  }

  /** An element with everything inside it, from its `<` past its end. */
  private element(): void {
    this.at += 1;
    const name = this.name('element name');
    const attributes = new Set<string>();
    for (;;) {
      const spaced = this.space();
      if (this.xml.startsWith('/>', this.at)) {
        this.at += 2;
        return;
      }
      if (this.xml.startsWith('>', this.at)) {
        this.at += 1;
        break;
      }
      if (!spaced) this.fail(`expected whitespace, '>' or '/>' in <${name}>`);
      const attribute = this.name(`attribute name in <${name}>`);
      if (attributes.has(attribute)) this.fail(`attribute ${attribute} repeated in <${name}>`);
      attributes.add(attribute);
      this.space();
      this.expect('=', `'=' after attribute ${attribute}`);
      this.space();
      this.attributeValue(attribute);
    }
    this.content(name);
  }

  private attributeValue(attribute: string): void {
    const quote = this.xml[this.at];
    if (quote !== '"' && quote !== "'") this.fail(`value of ${attribute} is not quoted`);
    const end = this.xml.indexOf(quote, this.at + 1);
    if (end < 0) this.fail(`value of ${attribute} never closed`);
    this.text(this.at + 1, end, `value of ${attribute}`);
    if (this.xml.slice(this.at + 1, end).includes('<')) this.fail(`'<' in the value of ${attribute}`);
    this.at = end + 1;
  }

  /** Text, comments and child elements up to the end tag of `name`. */
  private content(name: string): void {
    for (;;) {
      const next = this.xml.indexOf('<', this.at);
      if (next < 0) this.fail(`<${name}> never closed`);
      this.text(this.at, next, `text in <${name}>`);
      if (this.xml.slice(this.at, next).includes(']]>')) this.fail(`']]>' in the text of <${name}>`);
      this.at = next;
      if (this.xml.startsWith('</', this.at)) {
        this.at += 2;
        const closing = this.name('end tag name');
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        this.space();
        this.expect('>', `'>' to end </${closing}>`);
        return;
      }
      if (this.xml.startsWith('<!--', this.at)) this.comment();
      else if (this.xml.startsWith('<!', this.at) || this.xml.startsWith('<?', this.at)) this.fail(OUTSIDE_SUBSET);
      else this.element();
    }
  }

  /** Every `&` between `from` and `to` must start a known reference to a character XML allows. */
  private text(from: number, to: number, where: string): void {
    for (let amp = this.xml.indexOf('&', from); amp >= 0 && amp < to; amp = this.xml.indexOf('&', amp + 1)) {
      REFERENCE.lastIndex = amp;
      const reference = REFERENCE.exec(this.xml);
      if (!reference || REFERENCE.lastIndex > to) this.fail(`'&' that starts no reference in the ${where}`, amp);
      const [, named, decimal, hex] = reference;
      if (named) continue;
      const code = decimal ? Number(decimal) : Number.parseInt(hex!, 16);
      if (code > 0x10ffff || NOT_A_CHAR.test(String.fromCodePoint(code))) this.fail(`reference to a character XML does not allow in the ${where}`, amp);
    }
  }

  private name(what: string): string {
    NAME.lastIndex = this.at;
    const match = NAME.exec(this.xml);
    if (!match) this.fail(`expected ${what}`);
    this.at = NAME.lastIndex;
    return match[0];
  }

  /** Skips whitespace; says whether there was any. */
  private space(): boolean {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.xml);
    const skipped = SPACE.lastIndex > this.at;
    this.at = SPACE.lastIndex;
    return skipped;
  }

  private expect(token: string, what: string): void {
    if (!this.xml.startsWith(token, this.at)) this.fail(`expected ${what}`);
    this.at += token.length;
  }

  private fail(problem: string, at = this.at): never {
    const line = this.xml.slice(0, at).split('\n').length;
    throw new Error(`not well-formed XML: ${problem} (line ${line}, near ${JSON.stringify(this.xml.slice(at, at + 30))})`);
  }
}

import { SaxesParser } from 'saxes';

/**
 * A strict check that a document is well-formed XML with well-formed namespaces, for the SVG that
 * the project writes (Node has no XML parser): saxes, which stops at the first error. A DOCTYPE,
 * a CDATA section or a processing instruction is refused too, though XML allows them: the project
 * writes none, so one would be a defect. Throws an Error that says what is wrong and where
 * (line:column).
 */
export function assertWellFormedXml(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  const refuse = (what: string) => () => parser.fail(`${what}: the project writes none`);
  parser.on('doctype', refuse('DOCTYPE'));
  parser.on('cdata', refuse('CDATA section'));
  parser.on('processinginstruction', refuse('processing instruction'));
  try {
    parser.write(xml).close();
  } catch (error) {
    throw new Error(`not well-formed XML: ${(error as Error).message}`);
  }
}

import { expect } from 'chai';
import { escapeHtml, parseWholeNumber } from '../../platform/index.js';

describe('escapeHtml', () => {
  it('escapes the characters that could open markup or leave a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).to.equal(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('leaves other text alone and writes non-strings as their text', () => {
    expect(escapeHtml('Ünïcode → 100 %')).to.equal('Ünïcode → 100 %');
    expect(escapeHtml(42.5)).to.equal('42.5');
    expect(escapeHtml(null)).to.equal('null');
  });

  it('escapes an already escaped entity again, so text shows exactly as written', () => {
    expect(escapeHtml('&amp;')).to.equal('&amp;amp;');
  });
});

describe('parseWholeNumber', () => {
  it('reads decimal digits with an optional minus, ignoring blanks around them', () => {
    expect(parseWholeNumber('42')).to.equal(42);
    expect(parseWholeNumber('-7')).to.equal(-7);
    expect(parseWholeNumber(' 3 ')).to.equal(3);
    expect(parseWholeNumber('007')).to.equal(7);
  });

  it('refuses what Number() would quietly accept: empty text, fractions, exponents, hex, binary', () => {
    for (const text of ['', '  ', '1.5', '1.0', '1e3', '0x10', '0b1', '+5', 'Infinity', '12abc']) {
      expect(parseWholeNumber(text), JSON.stringify(text)).to.equal(undefined);
    }
  });

  it('refuses numbers outside [min, max] and beyond the safe integers', () => {
    expect(parseWholeNumber('0', 1)).to.equal(undefined);
    expect(parseWholeNumber('1', 1)).to.equal(1);
    expect(parseWholeNumber('16', 1, 16)).to.equal(16);
    expect(parseWholeNumber('17', 1, 16)).to.equal(undefined);
    expect(parseWholeNumber('9007199254740993')).to.equal(undefined);
  });
});

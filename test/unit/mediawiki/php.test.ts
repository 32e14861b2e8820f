import { describe, expect, it } from 'vitest';
import { htmlspecialchars, phpJsonEncode, rawurldecode, rfc3986Encode, strtr, urldecode, urlencode } from '../../../src/mediawiki/php.js';

describe('PHP string functions', () => {
  it('url encoders and decoders', () => {
    expect(rfc3986Encode("a b+~*'()!é")).toBe('a%20b%2B~%2A%27%28%29%21%C3%A9');
    expect(urlencode('a b+~-_.é')).toBe('a+b%2B%7E-_.%C3%A9');
    expect(urldecode('a+b%2Bc%C3%A9%zz%4')).toBe('a b+cé%zz%4');
    expect(rawurldecode('a+b%20c')).toBe('a+b c');
  });

  it('htmlspecialchars with ENT_QUOTES and no double encoding', () => {
    expect(htmlspecialchars(`<a href="x">'&amp;&#39;&x`)).toBe('&lt;a href=&quot;x&quot;&gt;&#039;&amp;&#39;&amp;x');
  });

  it('strtr replaces longest keys first and does not rescan', () => {
    expect(strtr('$1 $10 $2', { $1: 'one', $10: 'ten', $2: '$1' })).toBe('one ten $1');
  });

  it('json_encode flavours', () => {
    const v = { s: 'é/<&>"\\\n\u0001\u007f😀', n: 5, b: [true, null] };
    expect(phpJsonEncode(v)).toBe('{"s":"\\u00e9/<&>\\"\\\\\\n\\u0001\u007f\\ud83d\\ude00","n":5,"b":[true,null]}');
    expect(phpJsonEncode('<&>', { hexTagAmp: true })).toBe('"\\u003C\\u0026\\u003E"');
  });
});

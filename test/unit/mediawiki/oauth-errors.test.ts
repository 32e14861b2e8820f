import { describe, expect, it } from 'vitest';
import {
  OAuth1Error,
  OAuth1Errors,
  errorLink,
  formatJson,
  formatRaw,
  messageText,
} from '../../../src/mediawiki/oauth-errors.js';

const LINK = (e: string) => `<a class="external" href="https://www.mediawiki.org/wiki/Special:MyLanguage/Help:OAuth/Errors#${e}">${e}</a>`;

describe('OAuth1Error', () => {
  it('carries the message key, the E-code and, for library errors, the bare library text', () => {
    const lib = OAuth1Errors.invalidSignature();
    expect(lib).toBeInstanceOf(Error);
    expect(lib).toMatchObject({ name: 'OAuth1Error', code: 'mwoauth-oauth-exception', eCode: undefined });
    expect(lib.message).toBe('Invalid signature');
    const e = OAuth1Errors.requestTokenNotFound();
    expect(e).toMatchObject({ code: 'mwoauthdatastore-request-token-not-found', eCode: 'E004' });
    expect(e.message).toContain('OAuth token not found, ' + LINK('E004'));
  });

  it('has the library texts of src/Lib/OAuthServer.php', () => {
    expect(OAuth1Errors.nonceUsed('abc').message).toBe('Nonce already used: abc');
    expect(OAuth1Errors.expiredTimestamp('100', 1700000000).message).toBe('Expired timestamp, yours 100, ours 1700000000');
    expect(OAuth1Errors.missingTimestamp().message).toBe('Missing timestamp parameter. The parameter is required');
    expect(OAuth1Errors.missingNonce().message).toBe('Missing nonce parameter. The parameter is required');
    expect(OAuth1Errors.missingSignatureMethod().message).toBe('No signature method parameter. This parameter is required');
    expect(OAuth1Errors.unsupportedVersion('2.0').message).toBe("OAuth version '2.0' not supported");
    expect(OAuth1Errors.invalidConsumerKey().message).toBe('Invalid consumer key');
    expect(OAuth1Errors.invalidConsumer().message).toBe('Invalid consumer');
  });

  it('links E001–E012 to Help:OAuth/Errors', () => {
    expect(errorLink('E007')).toBe(LINK('E007'));
    const all = [
      OAuth1Errors.missingParams(), OAuth1Errors.invalidAction(), OAuth1Errors.invalidActionContact('https://w/User_talk:O'),
      OAuth1Errors.requestTokenNotFound(), OAuth1Errors.badConsumer('App', 'https://w/User_talk:O'),
      OAuth1Errors.badConsumerKey(), OAuth1Errors.insufficientRights(), OAuth1Errors.invalidUser('App'),
      OAuth1Errors.requestTokenAlreadyUsed(), OAuth1Errors.consumerOwnerOnly('App', 'k'),
      OAuth1Errors.consumerNoSecret(), OAuth1Errors.badConsumerVersion('https://w/User_talk:O'),
    ];
    expect(all.map((e) => e.eCode)).toEqual(Array.from({ length: 12 }, (_, i) => `E${String(i + 1).padStart(3, '0')}`));
    // E005's link is passed but unused by the message, exactly as in MediaWiki.
    for (const e of all) if (e.eCode !== 'E005') expect(messageText(e)).toContain(LINK(e.eCode!));
  });
});

describe('formatRaw (format=raw: "Error: " + Message::escaped())', () => {
  it('wraps library errors and HTML-escapes plain text with ENT_QUOTES', () => {
    expect(formatRaw(OAuth1Errors.invalidSignature())).toBe('Error: An error occurred in the OAuth protocol: Invalid signature');
    expect(formatRaw(OAuth1Errors.unsupportedSignatureMethod('PLAINTEXT'))).toBe(
      'Error: An error occurred in the OAuth protocol: Signature method &#039;PLAINTEXT&#039; not supported ' +
        'try one of the following: HMAC-SHA1, RSA-SHA1',
    );
    expect(formatRaw(OAuth1Errors.nonceUsed('<b>&amp;'))).toBe(
      'Error: An error occurred in the OAuth protocol: Nonce already used: &lt;b&gt;&amp;',
    );
    expect(formatRaw(OAuth1Errors.callbackNotOob())).toBe(
      'Error: oauth_callback must be set, and must be set to &quot;oob&quot; (case-sensitive)',
    );
  });

  it('escapes the message markup but not the raw E-code link', () => {
    expect(formatRaw(OAuth1Errors.missingParams())).toBe(
      'Error: Sorry, something went wrong configuring this connected application. Contact the application&#039;s developer.\n\n' +
        '&lt;span class=&quot;plainlinks mw-mwoautherror-details&quot;&gt;OAuth missing parameters, ' +
        LINK('E001') + '&lt;/span&gt;',
    );
    expect(formatRaw(OAuth1Errors.consumerOwnerOnly('My "Bot"', 'abc'))).toBe(
      'Error: &quot;My &quot;Bot&quot;&quot; is an owner-only Connected App. To fetch the access token, see ' +
        '[[Special:OAuthConsumerRegistration/update/abc]].\n\n' +
        '&lt;span class=&quot;plainlinks mw-mwoautherror-details&quot;&gt;Consumer is owner-only, ' + LINK('E010') + '&lt;/span&gt;',
    );
  });
});

describe('formatJson (format=json and identify: FormatJson::encode({error, message}))', () => {
  it('uses the message key and Message::text(), with <, >, & hex-escaped and slashes kept', () => {
    expect(formatJson(OAuth1Errors.invalidSignature())).toBe(
      '{"error":"mwoauth-oauth-exception","message":"An error occurred in the OAuth protocol: Invalid signature"}',
    );
    expect(formatJson(OAuth1Errors.callbackNotOob())).toBe(
      '{"error":"mwoauth-callback-not-oob","message":"oauth_callback must be set, and must be set to \\"oob\\" (case-sensitive)"}',
    );
    expect(formatJson(OAuth1Errors.consumerNoSecret())).toBe(
      '{"error":"mwoauthserver-consumer-no-secret","message":"Sorry, something went wrong connecting this application.\\n\\n' +
        '\\u003Cspan class=\\"plainlinks mw-mwoautherror-details\\"\\u003EConsumer has no secret key, ' +
        '\\u003Ca class=\\"external\\" href=\\"https://www.mediawiki.org/wiki/Special:MyLanguage/Help:OAuth/Errors#E011\\"\\u003EE011\\u003C/a\\u003E' +
        '\\u003C/span\\u003E"}',
    );
    const parsed = JSON.parse(formatJson(OAuth1Errors.wrongWiki('enwiki'))) as { error: string; message: string };
    expect(parsed).toEqual({
      error: 'mwoauth-invalid-authorization-wrong-wiki',
      message: 'The authorization headers in your request are not valid for enwiki',
    });
  });

  it('is what mwoauth reads on identify: an object with "error" and "message"', () => {
    const body = formatJson(OAuth1Errors.identifyTokenNotFound());
    expect(body.startsWith('{')).toBe(true);
    expect(JSON.parse(body)).toEqual({
      error: 'mwoauth-access-token-not-found', message: 'No consumer access token found for this request.',
    });
  });
});

describe('OAuth1Error construction', () => {
  it('accepts raw parameters directly', () => {
    const e = new OAuth1Error('mwoauth-invalid-authorization', [{ raw: '<i>x</i>' }]);
    expect(formatRaw(e)).toBe('Error: The authorization headers in your request are not valid: <i>x</i>');
    expect(messageText(e)).toBe('The authorization headers in your request are not valid: <i>x</i>');
  });
});

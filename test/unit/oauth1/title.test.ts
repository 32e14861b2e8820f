import { describe, expect, it } from 'vitest';
import { matchSpecialOAuth, oauthSubpage, specialOAuthSubpage } from '../../../src/oauth1/title.js';

const q = (s = '') => new URLSearchParams(s);

describe('matchSpecialOAuth: every URL shape of docs/architecture.md §2', () => {
  const shapes: Array<[string, string, string]> = [
    // [pathname, query, expected subpage]
    ['/w/index.php', 'title=Special:OAuth/initiate', 'initiate'],
    ['/w/index.php', 'title=Special%3AOAuth%2Finitiate', 'initiate'], // what mwoauth sends
    ['/index.php', 'title=Special:OAuth/token', 'token'],
    ['/', 'title=Special%3AOAuth%2Fidentify', 'identify'], // mw_uri = bare host
    ['/w/', 'title=Special:OAuth/authorize', 'authorize'],
    ['/w/index.php/Special:OAuth/authenticate', '', 'authenticate'],
    ['/index.php/Special:OAuth/verified', 'oauth_verifier=v', 'verified'],
    ['/wiki/Special:OAuth/grants', '', 'grants'],
    ['/wiki/Special%3AOAuth%2Finitiate', '', 'initiate'],
    ['/w/index.php', 'title=Special:OAuth/rest_redirect&rest_url=/x', 'rest_redirect'],
    ['/w/index.php', 'title=Special:OAuth/rest+redirect', 'rest_redirect'], // space → underscore
    ['/w/index.php', 'title=Special:Oauth/initiate', 'initiate'], // case variant seen in legacy client docs
    ['/wiki/special:oauth/token', '', 'token'], // namespace and page name case-folded
    ['/wiki/Special:MWOAuth/identify', '', 'identify'], // alias
    ['/w/index.php', 'title=Special:mwoauth/initiate', 'initiate'],
    ['/w/index.php', 'title=Special_:_OAuth/initiate', 'initiate'], // underscores around the colon
    ['/w/index.php', 'title=++Special:OAuth/initiate__', 'initiate'], // trimmed
    ['/w/index.php', 'title=:Special:OAuth/initiate', 'initiate'], // leading colon
    ['/w/index.php', 'title=Special:OAuth/initiate#frag', 'initiate'],
    ['/w/index.php', 'title=Special:OAuth/x&title=Special:OAuth/token', 'token'], // last title wins
  ];

  it.each(shapes)('%s ? %s → %s', (pathname, query, sub) => {
    expect(matchSpecialOAuth(pathname, q(query))?.subpage).toBe(sub);
    expect(oauthSubpage(pathname, q(query))).toBe(sub);
  });

  it('says where the title came from (a signed query parameter or the path)', () => {
    expect(matchSpecialOAuth('/w/index.php', q('title=Special:OAuth/initiate'))?.fromQuery).toBe(true);
    expect(matchSpecialOAuth('/wiki/Special:OAuth/initiate', q())?.fromQuery).toBe(false);
  });

  it('the path title wins over ?title= (WebRequest::interpolateTitle)', () => {
    expect(matchSpecialOAuth('/wiki/Main_Page', q('title=Special:OAuth/initiate'))).toBeNull();
    expect(matchSpecialOAuth('/wiki/Special:OAuth/token', q('title=Main_Page'))?.subpage).toBe('token');
  });

  it('honours a different script path', () => {
    expect(oauthSubpage('/mediawiki/index.php', q('title=Special:OAuth/initiate'), '/mediawiki')).toBe('initiate');
    expect(oauthSubpage('/mediawiki/index.php/Special:OAuth/token', q(), '/mediawiki')).toBe('token');
    expect(oauthSubpage('/w/index.php', q('title=Special:OAuth/initiate'), '/mediawiki')).toBeNull();
    expect(oauthSubpage('/index.php', q('title=Special:OAuth/initiate'), '')).toBe('initiate');
  });

  it('distinguishes "not Special:OAuth" (null) from no or unknown subpage', () => {
    for (const [path, query] of [
      ['/w/index.php', 'title=Main_Page'],
      ['/w/index.php', ''],
      ['/w/api.php', 'title=Special:OAuth/initiate'],
      ['/wiki/Special:OAuthConsumerRegistration/propose', ''],
      ['/wiki/Talk:OAuth/initiate', ''],
      ['/wiki/OAuth/initiate', ''],
      ['/wiki/', ''],
    ] as const) {
      expect(matchSpecialOAuth(path, q(query))).toBeNull();
    }
    expect(matchSpecialOAuth('/wiki/Special:OAuth', q())).toEqual({ subpage: null, rawSubpage: '', fromQuery: false });
    expect(matchSpecialOAuth('/wiki/Special:OAuth/', q())?.rawSubpage).toBe('');
    // Subpage names are case-sensitive in MediaWiki: these are errors E002/E003 there.
    expect(matchSpecialOAuth('/wiki/Special:OAuth/Initiate', q())).toEqual({
      subpage: null, rawSubpage: 'Initiate', fromQuery: false,
    });
    expect(matchSpecialOAuth('/wiki/Special:OAuth/initiate/', q())?.subpage).toBeNull();
    expect(matchSpecialOAuth('/wiki/Special:OAuth/approve', q())?.subpage).toBeNull();
  });
});

describe('specialOAuthSubpage', () => {
  it('normalises title text like TitleParser', () => {
    expect(specialOAuthSubpage('Special:OAuth/initiate')).toBe('initiate');
    expect(specialOAuthSubpage('SPECIAL:OAUTH/initiate')).toBe('initiate');
    expect(specialOAuthSubpage('Special:OAuth/rest   redirect')).toBe('rest_redirect');
    expect(specialOAuthSubpage('\u200ESpecial:OAuth/token')).toBe('token');
    expect(specialOAuthSubpage('Special:OAuth2/x')).toBeNull();
    expect(specialOAuthSubpage('Specials:OAuth/x')).toBeNull();
  });
});

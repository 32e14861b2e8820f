import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/domain/errors.js';
import {
  AUTH_ONLY_GRANTS,
  effectiveRights,
  fromStoredGrantNames,
  GRANTS,
  grantRights,
  grantsForm,
  HIDDEN_GRANTS,
  IRREVOCABLE_GRANTS,
  isKnownGrant,
  releasesPrivateInfo,
  toStoredGrantNames,
} from '../../../../src/domain/grants/catalogue.js';
import { effectiveGroups, rightsForGroups } from '../../../../src/domain/accounts/rights.js';

const CORE_GRANTS = [
  'basic', 'highvolume', 'import', 'editpage', 'editprotected', 'editmycssjs', 'editmyoptions',
  'editinterface', 'editsiteconfig', 'createeditmovepage', 'uploadfile', 'uploadeditmovefile',
  'patrol', 'rollback', 'blockusers', 'viewdeleted', 'viewrestrictedlogs', 'delete', 'oversight',
  'protect', 'viewmywatchlist', 'editmywatchlist', 'sendemail', 'createaccount', 'privateinfo',
  'mergehistory',
];

describe('GRANTS', () => {
  it('holds every core grant plus the OAuth extension ones', () => {
    expect([...GRANTS.keys()]).toEqual([
      ...CORE_GRANTS, 'oauthmanageownclient', 'mwoauth-authonly', 'mwoauth-authonlyprivate',
    ]);
    for (const [name, info] of GRANTS) {
      expect(info.name).toBe(name);
      expect(info.description).not.toBe('');
      expect(['low', 'vandalism', 'security', 'internal']).toContain(info.risk);
    }
  });

  it('carries the consent wording, groups and risks', () => {
    expect(GRANTS.get('basic')).toMatchObject({ group: 'hidden', risk: 'low', description: 'Basic rights' });
    expect(GRANTS.get('editpage')?.description).toBe('Edit existing pages');
    expect(GRANTS.get('privateinfo')?.description).toBe('Access your private information');
    expect(GRANTS.get('oauthmanageownclient')).toMatchObject({ group: 'administration', risk: 'internal' });
    expect(GRANTS.get('editsiteconfig')?.risk).toBe('security');
    expect(GRANTS.get('mwoauth-authonly')?.description).toBe(
      "User identity verification only, no ability to read pages or act on a user's behalf.",
    );
    expect(GRANTS.get('mwoauth-authonlyprivate')?.description).toContain('real name and email address');
  });

  it('knows grant names and nothing else', () => {
    expect(isKnownGrant('editpage')).toBe(true);
    expect(isKnownGrant('mwoauth-authonly')).toBe(true);
    expect(isKnownGrant('useoauth')).toBe(false);
    expect(isKnownGrant('openid')).toBe(false);
    expect(isKnownGrant('__proto__')).toBe(false);
  });
});

describe('grantRights', () => {
  it('is the union of the rights of the grants', () => {
    expect([...grantRights(['patrol', 'rollback'])].sort()).toEqual(['patrol', 'rollback']);
    const editing = grantRights(['editpage', 'createeditmovepage']);
    expect(editing.has('pagelang')).toBe(true);
    expect(editing.has('move')).toBe(true);
    expect(editing.has('edit')).toBe(true);
  });

  it('gives no rights for auth-only or unknown grants', () => {
    expect(grantRights(AUTH_ONLY_GRANTS).size).toBe(0);
    expect(grantRights(['nosuchgrant', 'openid']).size).toBe(0);
  });
});

describe('effectiveRights', () => {
  it("is the sorted intersection of the user's rights and the grants' rights", () => {
    const userRights = rightsForGroups(effectiveGroups([]));
    expect(effectiveRights(userRights, ['basic', 'editpage'])).toEqual([
      'applychangetags', 'autoconfirmed', 'changetags', 'edit', 'editcontentmodel', 'editsemiprotected',
      'minoredit', 'read',
    ]);
  });

  it('grants nothing the user lacks', () => {
    const userRights = rightsForGroups(effectiveGroups([]));
    expect(effectiveRights(userRights, ['blockusers', 'delete'])).not.toContain('block');
    expect(effectiveRights(userRights, ['blockusers'])).toEqual([]);
    const sysopRights = rightsForGroups(effectiveGroups(['sysop']));
    expect(effectiveRights(sysopRights, ['blockusers'])).toEqual(['block', 'blockemail']);
  });

  it('is empty for auth-only grants', () => {
    const userRights = rightsForGroups(effectiveGroups(['sysop']));
    expect(effectiveRights(userRights, ['mwoauth-authonlyprivate'])).toEqual([]);
  });
});

describe('releasesPrivateInfo', () => {
  it('opens only with mwoauth-authonlyprivate or a grant giving viewmyprivateinfo', () => {
    expect(releasesPrivateInfo(['mwoauth-authonlyprivate'])).toBe(true);
    expect(releasesPrivateInfo(['basic', 'privateinfo'])).toBe(true);
    expect(releasesPrivateInfo(new Set(['privateinfo']))).toBe(true);
    expect(releasesPrivateInfo(['mwoauth-authonly'])).toBe(false);
    expect(releasesPrivateInfo(['basic', 'editpage', 'editmyoptions', 'sendemail'])).toBe(false);
    expect(releasesPrivateInfo([])).toBe(false);
  });
});

describe('legacy stored grant names', () => {
  it("maps exactly Consumer::$mapBackCompatGrants", () => {
    expect(toStoredGrantNames(['basic', 'mwoauth-authonly', 'mwoauth-authonlyprivate', 'editpage']))
      .toEqual(['useoauth', 'authonly', 'authonlyprivate', 'editpage']);
    expect(fromStoredGrantNames(['useoauth', 'authonly', 'authonlyprivate', 'editpage']))
      .toEqual(['basic', 'mwoauth-authonly', 'mwoauth-authonlyprivate', 'editpage']);
  });

  it('round-trips every grant', () => {
    const all = [...GRANTS.keys()];
    expect(fromStoredGrantNames(toStoredGrantNames(all))).toEqual(all);
  });

  it('keeps order and duplicates, like the PHP element-wise rewrite', () => {
    expect(toStoredGrantNames(['editpage', 'basic', 'basic'])).toEqual(['editpage', 'useoauth', 'useoauth']);
  });
});

describe('irrevocable grants', () => {
  it('are the hidden grants plus the auth-only ones', () => {
    expect(HIDDEN_GRANTS).toEqual(['basic']);
    expect(AUTH_ONLY_GRANTS).toEqual(['mwoauth-authonly', 'mwoauth-authonlyprivate']);
    expect(IRREVOCABLE_GRANTS).toEqual(['basic', 'mwoauth-authonly', 'mwoauth-authonlyprivate']);
    for (const grant of IRREVOCABLE_GRANTS) {
      expect(isKnownGrant(grant)).toBe(true);
    }
  });

  it('hidden grants are exactly those in the hidden group', () => {
    expect([...GRANTS.values()].filter((g) => g.group === 'hidden').map((g) => g.name)).toEqual([...HIDDEN_GRANTS]);
  });
});

describe('grantsForm', () => {
  it('stores a single pseudo-grant for the auth-only grant types', () => {
    expect(grantsForm('authonly', [])).toEqual(['mwoauth-authonly']);
    expect(grantsForm('authonly', ['editpage'])).toEqual(['mwoauth-authonly']);
    expect(grantsForm('authonlyprivate', [])).toEqual(['mwoauth-authonlyprivate']);
  });

  it('forces the hidden grants on for normal consumers', () => {
    expect(grantsForm('normal', [])).toEqual(['basic']);
    expect(grantsForm('normal', ['editpage', 'basic', 'privateinfo', 'editpage'])).toEqual(['basic', 'editpage', 'privateinfo']);
  });

  it('rejects unknown grant names', () => {
    expect(() => grantsForm('normal', ['editpage', 'useoauth'])).toThrow(DomainError);
    try {
      grantsForm('normal', ['nosuchgrant']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('invalid_grant_name');
      expect((error as DomainError).name).toBe('DomainError');
    }
  });

  it('rejects an unknown grant type from untyped callers', () => {
    expect(() => grantsForm('bogus' as 'normal', [])).toThrow(DomainError);
  });
});

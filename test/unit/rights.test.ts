import { describe, expect, it } from 'vitest';
import {
  effectiveGroups,
  GROUP_RIGHTS,
  IMPLICIT_GROUPS,
  rightsForGroups,
} from '../../src/domain/accounts/rights.js';

describe('effectiveGroups', () => {
  it('puts the implicit groups first, * leading', () => {
    expect(IMPLICIT_GROUPS).toEqual(['*', 'user', 'autoconfirmed']);
    expect(effectiveGroups([])).toEqual(['*', 'user', 'autoconfirmed']);
    expect(effectiveGroups(['sysop', 'bureaucrat'])).toEqual(['*', 'user', 'autoconfirmed', 'sysop', 'bureaucrat']);
  });

  it('drops duplicates, including explicit rows for implicit groups', () => {
    expect(effectiveGroups(['user', 'sysop', 'sysop', '*'])).toEqual(['*', 'user', 'autoconfirmed', 'sysop']);
  });
});

describe('rightsForGroups', () => {
  it('is sorted and unique', () => {
    const rights = rightsForGroups(['*', 'user', 'autoconfirmed', 'sysop']);
    expect(rights).toEqual([...new Set(rights)].sort());
  });

  it('gives every registered user the usual user and autoconfirmed rights', () => {
    const rights = rightsForGroups(effectiveGroups([]));
    for (const right of ['read', 'edit', 'createpage', 'viewmyprivateinfo', 'editmyoptions', 'move', 'upload',
      'sendemail', 'viewmywatchlist', 'editmywatchlist', 'autoconfirmed', 'editsemiprotected']) {
      expect(rights).toContain(right);
    }
    expect(rights).not.toContain('block');
    expect(rights).not.toContain('mwoauthmanageconsumer');
  });

  it("adds docs/architecture.md §4's OAuth rights per group", () => {
    const user = rightsForGroups(effectiveGroups([]));
    expect(user).toEqual(expect.arrayContaining([
      'mwoauthproposeconsumer', 'mwoauthupdateownconsumer', 'mwoauthmanagemygrants',
    ]));
    expect(user).not.toContain('mwoauthviewprivate');
    expect(user).not.toContain('mwoauthsuppress');

    expect(rightsForGroups(['sysop'])).toEqual(expect.arrayContaining(['mwoauthmanageconsumer', 'mwoauthviewprivate']));
    expect(rightsForGroups(['sysop'])).not.toContain('mwoauthsuppress');
    expect(rightsForGroups(['bureaucrat'])).toEqual(expect.arrayContaining(['mwoauthsuppress', 'mwoauthviewsuppressed']));
  });

  it('ignores unknown groups, including object prototype keys', () => {
    expect(rightsForGroups(['nosuchgroup', '__proto__', 'constructor', 'toString'])).toEqual([]);
  });

  it('keeps MediaWiki core defaults for the privileged groups', () => {
    expect(rightsForGroups(['sysop'])).toEqual(expect.arrayContaining(['block', 'delete', 'protect', 'editinterface']));
    expect(rightsForGroups(['interface-admin'])).toEqual(expect.arrayContaining(['editsitejs', 'edituserjs']));
    expect(rightsForGroups(['suppress'])).toEqual(expect.arrayContaining(['hideuser', 'suppressrevision']));
    expect(rightsForGroups(['bot'])).toEqual(expect.arrayContaining(['bot', 'apihighlimits']));
    expect(rightsForGroups(['bureaucrat'])).toEqual(expect.arrayContaining(['userrights']));
  });

  it('exposes a frozen table', () => {
    expect(Object.isFrozen(GROUP_RIGHTS)).toBe(true);
    expect(Object.isFrozen(GROUP_RIGHTS.user)).toBe(true);
  });
});

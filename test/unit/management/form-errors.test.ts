import { describe, expect, it } from 'vitest';
import { DomainError, NotFoundError, PermissionError, UnavailableError } from '../../../src/domain/errors.js';
import { formError } from '../../../src/management/form-errors.js';

describe('the management pages\' error table', () => {
  it('shows what the user can correct on the form they sent', () => {
    expect(formError(new DomainError('invalid_version', 'Version must be newer'))).toBe('Version must be newer');
    expect(formError(new DomainError('change_conflict', 'Someone changed it first'))).toBe('Someone changed it first');
  });

  it('leaves a missing right, a missing consumer, an outage and bugs to the error edge', () => {
    expect(formError(new PermissionError('mwoauthmanageconsumer'))).toBeUndefined();
    expect(formError(new NotFoundError('Consumer'))).toBeUndefined();
    expect(formError(new UnavailableError('the database'))).toBeUndefined();
    expect(formError(new TypeError('bug'))).toBeUndefined();
  });
});

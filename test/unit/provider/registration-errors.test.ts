import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { DomainError, UnavailableError } from '../../../src/domain/errors.js';
import { registrationError } from '../../../src/provider/registration.js';

describe('the registration edge\'s error table', () => {
  it('answers refusals as RFC 7591 errors, naming redirect_uris for callbacks', () => {
    const callback = registrationError(new DomainError('invalid_callback_url', 'must be https'));
    expect(callback).toBeInstanceOf(errors.InvalidClientMetadata);
    expect((callback as Error & { error_description: string }).error_description).toBe('redirect_uris: must be https');
    const name = registrationError(new DomainError('invalid_name', 'too long'));
    expect((name as Error & { error_description: string }).error_description).toBe('too long');
  });

  it('lets an outage and bugs through', () => {
    const outage = new UnavailableError('the database');
    expect(registrationError(outage)).toBe(outage);
    const bug = new TypeError('bug');
    expect(registrationError(bug)).toBe(bug);
  });
});

import { describe, expect, it } from 'vitest';
import { DomainError, UnavailableError } from '../../../src/domain/errors.js';
import { LOGIN_MESSAGES, loginRefusal } from '../../../src/interactions/login-messages.js';

describe('the sign-in form\'s error table', () => {
  it('says the same for an unknown user and a wrong password, and names a block', () => {
    expect(loginRefusal(new DomainError('login_failed', 'Incorrect username or password entered.'))).toBe(LOGIN_MESSAGES.failed);
    expect(loginRefusal(new DomainError('invalid_user_name', 'Bad name'))).toBe(LOGIN_MESSAGES.failed);
    expect(loginRefusal(new DomainError('user_blocked', 'blocked'))).toBe(LOGIN_MESSAGES.blocked);
  });

  it('leaves an outage (503) and bugs to the error edge', () => {
    expect(loginRefusal(new UnavailableError('the database'))).toBeUndefined();
    expect(loginRefusal(new Error('bug'))).toBeUndefined();
  });
});

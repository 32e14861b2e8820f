import { describe, expect, it } from 'vitest';
import { ACR_PASSWORD, ACR_TWO_FACTOR, acrFor, acrToReport, hasTwoFactors, requestedLevel, twoFactorDemanded } from '../../../../src/domain/accounts/assurance.js';

const PWD = ['pwd'];
const BOTH = ['pwd', 'otp'];

describe('authentication levels', () => {
  it('counts two factors only for a password and a one-time code', () => {
    expect(hasTwoFactors(BOTH)).toBe(true);
    expect(hasTwoFactors(PWD)).toBe(false);
    expect(hasTwoFactors(['otp'])).toBe(false);
    expect(hasTwoFactors(undefined)).toBe(false);
    expect([acrFor(PWD), acrFor(BOTH)]).toEqual([ACR_PASSWORD, ACR_TWO_FACTOR]);
  });

  it('demands two factors for a consumer that requires them, or acr_values naming only that level', () => {
    expect(twoFactorDemanded({ requireTwoFactor: true }, undefined)).toBe(true);
    expect(twoFactorDemanded({ requireTwoFactor: true }, ACR_PASSWORD)).toBe(true);
    expect(twoFactorDemanded(undefined, ACR_TWO_FACTOR)).toBe(true);
    expect(twoFactorDemanded({}, `urn:other ${ACR_TWO_FACTOR}`)).toBe(true);
    expect(twoFactorDemanded({}, `${ACR_TWO_FACTOR} ${ACR_PASSWORD}`)).toBe(false);
    expect(twoFactorDemanded({}, 'urn:other')).toBe(false);
    expect(twoFactorDemanded({ requireTwoFactor: false }, undefined)).toBe(false);
    expect(twoFactorDemanded(undefined, ['not', 'a string'])).toBe(false);
  });

  it("reports the client's most preferred level the sign-in reaches, else the highest it reaches", () => {
    expect(acrToReport(BOTH, undefined)).toBe(ACR_TWO_FACTOR);
    expect(acrToReport(PWD, undefined)).toBe(ACR_PASSWORD);
    expect(acrToReport(BOTH, [ACR_PASSWORD, ACR_TWO_FACTOR])).toBe(ACR_PASSWORD);
    expect(acrToReport(PWD, [ACR_TWO_FACTOR, ACR_PASSWORD])).toBe(ACR_PASSWORD);
    expect(acrToReport(PWD, ['urn:other'])).toBe(ACR_PASSWORD);
  });

  it('reads what a login interaction asks: the check, an essential acr, acr_values', () => {
    expect(requestedLevel({ twoFactorAsked: true, essential: undefined, acrValues: undefined })).toEqual({ twoFactor: true, requested: undefined, unreachable: false });
    expect(requestedLevel({ twoFactorAsked: false, essential: [ACR_TWO_FACTOR], acrValues: undefined })).toEqual({ twoFactor: true, requested: [ACR_TWO_FACTOR], unreachable: false });
    expect(requestedLevel({ twoFactorAsked: false, essential: [ACR_TWO_FACTOR, ACR_PASSWORD], acrValues: undefined }).twoFactor).toBe(false);
    expect(requestedLevel({ twoFactorAsked: false, essential: ['urn:gold'], acrValues: undefined }).unreachable).toBe(true);
    expect(requestedLevel({ twoFactorAsked: false, essential: undefined, acrValues: `${ACR_PASSWORD} ${ACR_TWO_FACTOR}` })).toEqual({
      twoFactor: false,
      requested: [ACR_PASSWORD, ACR_TWO_FACTOR],
      unreachable: false,
    });
  });
});

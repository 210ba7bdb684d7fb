import type { Eligibility } from './processes.table.ts';

/** Pure: whether a person may take part in a process, and if not, why and how to qualify. */

export interface Verification {
  method: 'postcode' | 'in_person';
  dateOfBirth: string;
}

export type EligibilityResult =
  | { eligible: true }
  | {
      eligible: false;
      code: 'not_signed_in' | 'unverified_email' | 'not_verified' | 'not_verified_in_person' | 'too_young';
      reason: string;
      howToQualify: string;
    };

export const ELIGIBILITY_LABELS: Record<Eligibility, string> = {
  signed_in: 'Anyone with an account',
  verified_residents: 'Residents who have confirmed their postcode and age',
  verified_in_person: 'Residents verified in person by a member of staff',
};

export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function checkEligibility(
  rule: { eligibility: Eligibility; minimumAge: number | null },
  person: { signedIn: boolean; emailVerified: boolean; verification: Verification | undefined },
  on: string,
): EligibilityResult {
  if (!person.signedIn) {
    return {
      eligible: false,
      code: 'not_signed_in',
      reason: 'You need to sign in to take part.',
      howToQualify: 'Sign in, or create an account.',
    };
  }
  if (!person.emailVerified) {
    return {
      eligible: false,
      code: 'unverified_email',
      reason: 'You need to confirm your email address to take part.',
      howToQualify: 'Follow the link in the email we sent when you created your account.',
    };
  }
  if (rule.eligibility === 'signed_in') return { eligible: true };
  const v = person.verification;
  if (!v) {
    return rule.eligibility === 'verified_in_person'
      ? {
          eligible: false,
          code: 'not_verified_in_person',
          reason: 'Only residents verified in person by a member of staff can take part in this process.',
          howToQualify:
            'Visit a council office or community hub with proof of your address and date of birth.',
        }
      : {
          eligible: false,
          code: 'not_verified',
          reason: 'Only residents of this place can take part in this process.',
          howToQualify: 'Confirm that you live here by giving your postcode and date of birth.',
        };
  }
  if (rule.eligibility === 'verified_in_person' && v.method !== 'in_person') {
    return {
      eligible: false,
      code: 'not_verified_in_person',
      reason: 'This process needs residents to be verified in person by a member of staff.',
      howToQualify: 'Visit a council office or community hub with proof of your address and date of birth.',
    };
  }
  if (rule.minimumAge !== null && ageOn(v.dateOfBirth, on) < rule.minimumAge) {
    return {
      eligible: false,
      code: 'too_young',
      reason: `You need to be ${rule.minimumAge} or older to take part in this process.`,
      howToQualify: `You can take part from your ${rule.minimumAge}th birthday.`,
    };
  }
  return { eligible: true };
}

/** UK postcodes, normalised: upper case, no spaces. */
export function normalisePostcode(value: string): string {
  return value.toUpperCase().replace(/\s+/g, '');
}

export function isPostcode(value: string): boolean {
  return /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(normalisePostcode(value));
}

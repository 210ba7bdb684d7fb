import { z } from 'zod';

export const emailField = z
  .string({ error: 'Enter your email address' })
  .trim()
  .min(1, 'Enter your email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' }));

export const nameField = z
  .string({ error: 'Enter your name' })
  .trim()
  .min(1, 'Enter your name')
  .max(100, 'Name must be 100 characters or fewer');

const passwordField = (message: string) =>
  z.string({ error: message }).min(1, message).max(256, 'Password must be 256 characters or fewer');

export const registerSchema = z
  .object({
    name: nameField,
    email: emailField,
    password: passwordField('Enter a password'),
    confirmPassword: z.string({ error: 'Confirm your password' }).min(1, 'Confirm your password'),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'Passwords must match',
  });

export const signInSchema = z.object({
  email: emailField,
  password: passwordField('Enter your password'),
});

export const emailOnlySchema = z.object({ email: emailField });

export const resetPasswordSchema = z
  .object({
    password: passwordField('Enter a new password'),
    confirmPassword: z.string({ error: 'Confirm your new password' }).min(1, 'Confirm your new password'),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'Passwords must match',
  });

export const changeNameSchema = z.object({ name: nameField });

export const changeEmailSchema = z.object({
  email: emailField,
  password: passwordField('Enter your password'),
});

export const changePasswordSchema = z
  .object({
    currentPassword: passwordField('Enter your current password'),
    newPassword: passwordField('Enter a new password'),
    confirmPassword: z.string({ error: 'Confirm your new password' }).min(1, 'Confirm your new password'),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'Passwords must match',
  });

export const deleteAccountSchema = z.object({
  password: passwordField('Enter your password to confirm'),
  confirm: z.literal('yes', { error: 'Confirm that you understand what deleting your account does' }),
});

/** A `next` address is honoured only if it stays on this site. */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string') return '/account';
  // One leading slash, then no second slash or backslash, and no spaces or control characters
  // (browsers drop tabs and newlines, which would turn "/\t/evil.example" into "//evil.example").
  const control = [...value].some((c) => c.charCodeAt(0) < 0x21 || c.charCodeAt(0) === 0x7f);
  return !control && /^\/(?![/\\])[^\\]*$/.test(value) ? value : '/account';
}

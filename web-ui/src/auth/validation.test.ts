import { describe, expect, it } from 'vitest';
import { MESSAGES, validateEmail, validateNewPassword, validatePassword, validateRegister, validateUsername } from './validation';

describe('username', () => {
  it.each([
    ['abcd', null],
    ['Alice_On-Air2', null],
    ['a'.repeat(20), null],
    ['abc', MESSAGES.username],
    ['a'.repeat(21), MESSAGES.username],
    ['has space', MESSAGES.username],
    ['dot.name', MESSAGES.username],
    ['émile', MESSAGES.username],
    ['', MESSAGES.username],
  ])('%j → %j', (v, want) => expect(validateUsername(v)).toBe(want));

  it('says which characters are allowed, and only those', () => {
    expect(MESSAGES.username).toBe('Use 4 to 20 characters: letters, numbers, - or _.');
    for (const c of ['-', '_']) expect(validateUsername(`abc${c}`)).toBeNull();
    for (const c of ['!', '.', '@', '&']) expect(validateUsername(`abc${c}`)).toBe(MESSAGES.username);
  });
});

describe('email', () => {
  it.each([
    ['a@b.co', null],
    ['first.last+tag@example.com', null],
    ['nope', MESSAGES.email],
    ['a@b', MESSAGES.email],
    ['a b@c.com', MESSAGES.email],
  ])('%j → %j', (v, want) => expect(validateEmail(v)).toBe(want));
});

describe('password', () => {
  it.each([
    ['Passw0rd!', null],
    ['Sh0rt!', MESSAGES.passwordLength],
    ['password1!', MESSAGES.passwordStrength],
    ['PASSWORD1!', MESSAGES.passwordStrength],
    ['Password!!', MESSAGES.passwordStrength],
    ['Password12', MESSAGES.passwordStrength],
    ['short', MESSAGES.passwordBoth],
    ['Pass w0rd!', MESSAGES.passwordLength],
  ])('%j → %j', (v, want) => expect(validatePassword(v)).toBe(want));
});

describe('forms', () => {
  it('register reports every field and a confirmation mismatch', () => {
    expect(validateRegister({ username: 'ab', email: 'x', password: 'Passw0rd!', confirmPassword: 'other' })).toEqual({
      username: MESSAGES.username,
      email: MESSAGES.email,
      confirmPassword: "Passwords didn't match. Try again.",
    });
    expect(validateRegister({ username: 'alice', email: 'a@b.co', password: 'Passw0rd!', confirmPassword: 'Passw0rd!' })).toEqual({});
  });
  it('a new password must differ from the current one', () => {
    expect(validateNewPassword({ currentPassword: 'Passw0rd!', newPassword: 'Passw0rd!', confirmPassword: 'Passw0rd!' })).toEqual({
      newPassword: 'Your new password cannot be the same as your old password.',
    });
    expect(validateNewPassword({ currentPassword: '', newPassword: 'x', confirmPassword: 'x' })).toEqual({
      currentPassword: MESSAGES.required,
      newPassword: MESSAGES.passwordBoth,
    });
  });
});

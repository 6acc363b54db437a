// Client validation of the account forms (reference §11.9). The username
// rule follows onair's server rule (shared/usernames): 4–20 ASCII letters,
// digits, '-' or '_' (the reference allowed '.' instead of '-').

export const USERNAME_RULE = /^[A-Za-z0-9_-]{4,20}$/;
// Deliberately simple: something@something.tld, no spaces.
export const EMAIL_RULE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

export const MESSAGES = {
  // The reference said "a mix of letters, numbers & symbols": no mix is
  // required, and the only symbols allowed are - and _.
  username: 'Use 4 to 20 characters: letters, numbers, - or _.',
  email: 'Enter a valid email.',
  passwordLength: 'Use 8 characters or more.',
  passwordStrength: 'Use at least 1 uppercase & lowercase letter, number, and symbol.',
  passwordBoth: 'Use 8 characters or more with at least 1 uppercase & lowercase letter, number, and symbol.',
  confirm: "Passwords didn't match. Try again.",
  samePassword: 'Your new password cannot be the same as your old password.',
  required: 'This field is required.',
} as const;

export function validateUsername(v: string): string | null {
  return USERNAME_RULE.test(v.trim()) ? null : MESSAGES.username;
}

export function validateEmail(v: string): string | null {
  return EMAIL_RULE.test(v.trim()) ? null : MESSAGES.email;
}

/** Cognito's default policy: 8+ characters with a lower, an upper, a digit and a symbol; no spaces. */
export function validatePassword(v: string): string | null {
  const lengthOk = /^\S{8,256}$/.test(v);
  const strengthOk = /[a-z]/.test(v) && /[A-Z]/.test(v) && /\d/.test(v) && /[^A-Za-z0-9\s]/.test(v);
  if (!lengthOk && !strengthOk) return MESSAGES.passwordBoth;
  if (!lengthOk) return MESSAGES.passwordLength;
  if (!strengthOk) return MESSAGES.passwordStrength;
  return null;
}

export function validateConfirm(password: string, confirm: string): string | null {
  return password === confirm ? null : MESSAGES.confirm;
}

export type Errors<K extends string> = Partial<Record<K, string>>;

export function validateRegister(f: { username: string; email: string; password: string; confirmPassword: string }) {
  const e: Errors<'username' | 'email' | 'password' | 'confirmPassword'> = {};
  const u = validateUsername(f.username);
  if (u) e.username = u;
  const m = validateEmail(f.email);
  if (m) e.email = m;
  const p = validatePassword(f.password);
  if (p) e.password = p;
  else if (validateConfirm(f.password, f.confirmPassword)) e.confirmPassword = MESSAGES.confirm;
  return e;
}

export function validateNewPassword(f: { currentPassword?: string; newPassword: string; confirmPassword: string }) {
  const e: Errors<'currentPassword' | 'newPassword' | 'confirmPassword'> = {};
  if (f.currentPassword !== undefined && !f.currentPassword) e.currentPassword = MESSAGES.required;
  const p = validatePassword(f.newPassword);
  if (p) e.newPassword = p;
  else if (f.currentPassword !== undefined && f.currentPassword === f.newPassword) e.newPassword = MESSAGES.samePassword;
  else if (validateConfirm(f.newPassword, f.confirmPassword)) e.confirmPassword = MESSAGES.confirm;
  return e;
}

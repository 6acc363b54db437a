// What people read for an error of Cognito or the API (reference §11.9).

import { ApiError } from '../api/errors';

export const ERROR_TEXT = {
  usernameTaken: 'This username has been taken.',
  usernameReserved: 'This username is unavailable.',
  emailUsed: 'This email has already been used.',
  badCredentials: 'Incorrect username or password',
  attempts: 'Attempt limit exceeded, please try again later',
  unexpected: 'An unexpected error occurred, please try again later',
  resendLimit: 'Limit has been exceeded. Please try again in one hour.',
  network: 'Could not reach the server. Check your connection.',
} as const;

const lambdaTypes = [
  'ReservedUsernameException',
  'EmailExistsException',
  'UsernameExistsException',
  'AliasExistsException',
  'InvalidUsernameException',
  'AccountRegistrationException',
  'UserNotFoundException',
];

/** The error's type, looking through Cognito's UserLambdaValidationException to the trigger's reason. */
export function errorType(e: unknown): { type: string; message: string } {
  if (e instanceof ApiError) return { type: e.type, message: e.message };
  const o = (e && typeof e === 'object' ? e : {}) as { code?: string; name?: string; message?: string };
  let type = o.code || o.name || 'UnexpectedException';
  let message = o.message ?? '';
  if (type === 'UserLambdaValidationException') {
    // "PreSignUp failed with error ReservedUsernameException: This username is unavailable.."
    const inner = message.replace(/^\w+ failed with error /, '').replace(/\.\.$/, '.');
    const named = lambdaTypes.find((t) => inner.includes(t));
    message = inner.replace(/^\w+Exception: /, '');
    if (named) type = named;
    else if (/username is unavailable/i.test(inner)) type = 'ReservedUsernameException';
    else if (/email has already been used/i.test(inner)) type = 'EmailExistsException';
    else if (/username has been taken/i.test(inner)) type = 'UsernameExistsException';
    else type = 'AccountRegistrationException';
  }
  return { type, message };
}

/** The message a form shows for an error of sign-up, sign-in, rename or a password change. */
export function friendlyError(e: unknown): string {
  const { type, message } = errorType(e);
  switch (type) {
    case 'UsernameExistsException':
    case 'AliasExistsException':
      return ERROR_TEXT.usernameTaken;
    case 'ReservedUsernameException':
      return ERROR_TEXT.usernameReserved;
    case 'EmailExistsException':
      return ERROR_TEXT.emailUsed;
    case 'UserNotFoundException':
      return ERROR_TEXT.badCredentials;
    case 'NotAuthorizedException':
      return /attempts exceeded/i.test(message) ? ERROR_TEXT.attempts : ERROR_TEXT.badCredentials;
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return ERROR_TEXT.attempts;
    case 'NetworkError':
      return ERROR_TEXT.network;
    case 'InvalidUsernameException':
    case 'ChangeUsernameException':
    case 'AccountRegistrationException':
    case 'InvalidPasswordException':
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
    case 'InvalidParameterException':
      return message || ERROR_TEXT.unexpected;
    default:
      return ERROR_TEXT.unexpected;
  }
}

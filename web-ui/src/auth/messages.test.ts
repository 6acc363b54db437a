import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { errorType, friendlyError } from './messages';

const cognito = (code: string, message = '') => Object.assign(new Error(message), { code, name: code });

describe('friendlyError', () => {
  it.each([
    [cognito('UsernameExistsException'), 'This username has been taken.'],
    [cognito('AliasExistsException'), 'This username has been taken.'],
    [new ApiError('AliasExistsException', 'taken', 409), 'This username has been taken.'],
    [new ApiError('ReservedUsernameException', 'x', 400), 'This username is unavailable.'],
    [cognito('UserLambdaValidationException', 'PreSignUp failed with error ReservedUsernameException: This username is unavailable..'), 'This username is unavailable.'],
    [cognito('UserLambdaValidationException', 'PreSignUp failed with error This username is unavailable..'), 'This username is unavailable.'],
    [cognito('UserLambdaValidationException', 'PreSignUp failed with error EmailExistsException: This email has already been used..'), 'This email has already been used.'],
    [cognito('UserLambdaValidationException', 'PreSignUp failed with error UsernameExistsException: This username has been taken..'), 'This username has been taken.'],
    [cognito('UserLambdaValidationException', 'PreAuthentication failed with error UserNotFoundException: Incorrect username or password..'), 'Incorrect username or password'],
    [cognito('UserNotFoundException'), 'Incorrect username or password'],
    [cognito('NotAuthorizedException', 'Incorrect username or password.'), 'Incorrect username or password'],
    [cognito('NotAuthorizedException', 'Password attempts exceeded'), 'Attempt limit exceeded, please try again later'],
    [cognito('LimitExceededException'), 'Attempt limit exceeded, please try again later'],
    [new ApiError('UnexpectedException', 'boom', 500), 'An unexpected error occurred, please try again later'],
    [cognito('CodeMismatchException', 'Invalid verification code provided, please try again.'), 'Invalid verification code provided, please try again.'],
    [new ApiError('NetworkError', 'x', 0), 'Could not reach the server. Check your connection.'],
    ['weird', 'An unexpected error occurred, please try again later'],
  ])('%o → %j', (err, want) => expect(friendlyError(err)).toBe(want));

  it('names the trigger reason of a UserLambdaValidationException', () => {
    expect(errorType(cognito('UserLambdaValidationException', 'PreSignUp failed with error AccountRegistrationException: Sign-up is not open to this email domain..'))).toEqual({
      type: 'AccountRegistrationException',
      message: 'Sign-up is not open to this email domain.',
    });
  });
});

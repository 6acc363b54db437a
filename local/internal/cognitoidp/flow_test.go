package cognitoidp

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserLifecycle walks a user through everything the web app does, with
// the AWS SDK for Go against the emulator.
func TestUserLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	const email = "alice@example.com"

	// Sign up: unconfirmed, a code mailed to the address.
	su := e.signUp("alice", email)
	assert.False(t, su.UserConfirmed)
	require.NotNil(t, su.CodeDeliveryDetails)
	assert.Equal(t, types.DeliveryMediumTypeEmail, su.CodeDeliveryDetails.DeliveryMedium)
	assert.Equal(t, "email", aws.ToString(su.CodeDeliveryDetails.AttributeName))
	assert.Equal(t, "a***@e***", aws.ToString(su.CodeDeliveryDetails.Destination))
	assert.Regexp(t, `^[0-9a-f-]{36}$`, aws.ToString(su.UserSub))
	mails, err := e.svc.Mail(email)
	require.NoError(t, err)
	require.Len(t, mails, 1)
	assert.Equal(t, "SignUp", mails[0].Kind)
	assert.Regexp(t, `^\d{6}$`, mails[0].Code)
	assert.Equal(t, "Your verification code", mails[0].Subject)
	assert.Equal(t, "Your verification code is "+mails[0].Code+". ", mails[0].Body)
	assert.Equal(t, mails, *e.mails, "OnMail sees every stored mail")

	// Not confirmed yet: the right password says so.
	_, err = e.signIn("alice", testPassword)
	requireAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")

	// Confirm with the mailed code.
	_, err = e.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(testClient), Username: aws.String("alice"), ConfirmationCode: aws.String(mails[0].Code),
	})
	require.NoError(t, err)
	_, err = e.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(testClient), Username: aws.String("alice"), ConfirmationCode: aws.String(mails[0].Code),
	})
	requireAPIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")

	// Sign in, refresh, read the user.
	auth := e.mustSignIn("alice", testPassword)
	assert.Equal(t, int32(3600), auth.ExpiresIn)
	assert.Equal(t, "Bearer", aws.ToString(auth.TokenType))
	require.NotEmpty(t, aws.ToString(auth.RefreshToken))
	refreshed, err := e.refresh(aws.ToString(auth.RefreshToken))
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(refreshed.RefreshToken), "refresh keeps the refresh token")
	assert.Equal(t, jwtClaims(t, aws.ToString(auth.AccessToken))["origin_jti"], jwtClaims(t, aws.ToString(refreshed.AccessToken))["origin_jti"])
	user, err := e.getUser(aws.ToString(refreshed.AccessToken))
	require.NoError(t, err)
	assert.Equal(t, "alice", aws.ToString(user.Username))
	v, _ := attr(user.UserAttributes, "email")
	assert.Equal(t, email, v)
	v, _ = attr(user.UserAttributes, "email_verified")
	assert.Equal(t, "true", v)
	v, _ = attr(user.UserAttributes, "sub")
	assert.Equal(t, aws.ToString(su.UserSub), v)

	// Change the password: the old one stops working.
	const newPassword = "N3w-Passw0rd"
	_, err = e.api.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken: auth.AccessToken, PreviousPassword: aws.String("wrong-Passw0rd!"), ProposedPassword: aws.String(newPassword),
	})
	requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = e.api.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken: auth.AccessToken, PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String(newPassword),
	})
	require.NoError(t, err)
	_, err = e.signIn("alice", testPassword)
	requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	second := e.mustSignIn("alice", newPassword)

	// Global sign-out revokes every session's refresh and access tokens.
	_, err = e.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: second.AccessToken})
	require.NoError(t, err)
	for _, a := range []*types.AuthenticationResultType{auth, second} {
		_, err = e.refresh(aws.ToString(a.RefreshToken))
		requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
		_, err = e.getUser(aws.ToString(a.AccessToken))
		requireAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	}
	_, err = e.getUser(aws.ToString(refreshed.AccessToken))
	requireAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")

	// Forgot password: the code arrives in the mailbox.
	fp, err := e.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(testClient), Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, "a***@e***", aws.ToString(fp.CodeDeliveryDetails.Destination))
	mails, err = e.svc.Mail(email)
	require.NoError(t, err)
	require.Len(t, mails, 2)
	assert.Equal(t, "ForgotPassword", mails[0].Kind, "newest first")
	_, err = e.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(testClient), Username: aws.String("alice"),
		ConfirmationCode: aws.String(mails[0].Code), Password: aws.String("weak"),
	})
	requireAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	const resetPassword = "R3set-Passw0rd"
	_, err = e.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(testClient), Username: aws.String("alice"),
		ConfirmationCode: aws.String(mails[0].Code), Password: aws.String(resetPassword),
	})
	require.NoError(t, err)
	_, err = e.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(testClient), Username: aws.String("alice"),
		ConfirmationCode: aws.String(mails[0].Code), Password: aws.String("An0ther-Passw0rd"),
	})
	requireAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
	_, err = e.signIn("alice", newPassword)
	requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	third := e.mustSignIn("alice", resetPassword)

	// Delete the user: it is gone.
	_, err = e.api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: third.AccessToken})
	require.NoError(t, err)
	_, err = e.signIn("alice", resetPassword)
	requireAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = e.getUser(aws.ToString(third.AccessToken))
	requireAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = e.refresh(aws.ToString(third.RefreshToken))
	requireAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = e.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPool), Username: aws.String("alice")})
	requireAPIError(t, err, "UserNotFoundException", "User does not exist.")

	// The name is free again.
	e.signUp("alice", "alice2@example.com")
}

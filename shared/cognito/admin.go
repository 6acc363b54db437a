package cognito

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/onair/onair/shared/awserr"
)

// AdminGetUser returns the attributes of the user with this Cognito username
// (or alias), by name: "sub", "email", "preferred_username", ... ErrNotFound
// if there is no such user.
func (c *Client) AdminGetUser(ctx context.Context, username string) (map[string]string, error) {
	out, err := c.api.AdminGetUser(ctx, &cip.AdminGetUserInput{
		UserPoolId: aws.String(c.userPoolID),
		Username:   aws.String(username),
	})
	if err != nil {
		return nil, awserr.Map("cognito AdminGetUser", err)
	}
	attrs := make(map[string]string, len(out.UserAttributes))
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return attrs, nil
}

// AdminUpdateUserAttributes sets the given attributes of the user. Setting
// preferred_username to a name another user holds fails with a Conflict of
// type AliasExistsException.
func (c *Client) AdminUpdateUserAttributes(ctx context.Context, username string, attrs map[string]string) error {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names) // a stable request, for logs and tests
	in := &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(c.userPoolID),
		Username:   aws.String(username),
	}
	for _, n := range names {
		in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(n), Value: aws.String(attrs[n])})
	}
	if _, err := c.api.AdminUpdateUserAttributes(ctx, in); err != nil {
		return awserr.Map("cognito AdminUpdateUserAttributes", err)
	}
	return nil
}

// AdminDeleteUser deletes the user. A user already gone is not an error, so
// that account deletion and cleanups can be retried.
func (c *Client) AdminDeleteUser(ctx context.Context, username string) error {
	_, err := c.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{
		UserPoolId: aws.String(c.userPoolID),
		Username:   aws.String(username),
	})
	if err != nil && awserr.Code(err) != "UserNotFoundException" {
		return awserr.Map("cognito AdminDeleteUser", err)
	}
	return nil
}

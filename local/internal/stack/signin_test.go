package stack_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignInNamesAcrossARename: one rule for the name typed at sign-in
// (case-insensitive, as names are unique regardless of case) before and
// after a rename; a sign-in without ClientMetadata (awscli, boto3) works
// before a rename and, after one, is told what is missing instead of
// "Incorrect username or password".
func TestSignInNamesAcrossARename(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	s := boot(t, nil, nil)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(awsConfig(s))}
	u := c.signUp("fiona")
	status, _ := c.api("POST", "/channel/resources/create", u.access, map[string]string{"email": u.email})
	require.Equal(t, http.StatusCreated, status)

	signIn := func(typed string, metadata bool) error {
		in := &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": typed, "PASSWORD": u.password}}
		if metadata {
			in.ClientMetadata = map[string]string{"submittedUsername": typed}
		}
		_, err := c.cognito.InitiateAuth(context.Background(), in)
		return err
	}
	assert.NoError(t, signIn("FIONA", true), "before a rename: any case")
	assert.NoError(t, signIn("fiona", false), "before a rename: no ClientMetadata needed")

	status, body := c.api("PUT", "/channel/username/update", u.access, map[string]string{"newUsername": "Fifi_9"})
	require.Equal(t, http.StatusOK, status, body)

	assert.NoError(t, signIn("Fifi_9", true))
	assert.NoError(t, signIn("fifi_9", true), "after a rename: any case too")
	assert.Error(t, signIn("fiona", true), "the old name no longer signs in")
	err := signIn("Fifi_9", false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "submittedUsername", "says what is missing")
	assert.NotContains(t, err.Error(), "Incorrect username or password")
}

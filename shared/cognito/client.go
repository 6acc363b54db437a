// Package cognito is the adapter to the Cognito user pool's admin API, for
// what the backend does to users (rename, delete, list unconfirmed).
package cognito

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Client calls one user pool.
type Client struct {
	api        *cip.Client
	userPoolID string
}

// New returns a client for the pool.
func New(cfg aws.Config, userPoolID string) *Client {
	return &Client{api: cip.NewFromConfig(cfg), userPoolID: userPoolID}
}

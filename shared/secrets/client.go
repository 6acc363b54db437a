// Package secrets is the adapter to Secrets Manager, with an in-memory cache
// per execution environment so a warm function reads a secret once.
package secrets

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdksm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Client reads secrets.
type Client struct {
	api *sdksm.Client

	mu    sync.Mutex
	cache map[string]string
}

// New returns a client for cfg.
func New(cfg aws.Config) *Client {
	return &Client{api: sdksm.NewFromConfig(cfg), cache: map[string]string{}}
}

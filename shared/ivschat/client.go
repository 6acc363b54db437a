// Package ivschat is the adapter to Amazon IVS Chat's control plane (rooms,
// chat tokens, moderation).
package ivschat

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
)

// Client calls IVS Chat.
type Client struct {
	api *sdkchat.Client
}

// New returns a client for cfg.
func New(cfg aws.Config) *Client {
	return &Client{api: sdkchat.NewFromConfig(cfg)}
}

// Package ivsrealtime is the adapter to Amazon IVS Real-Time (stages,
// participant tokens, participants, public keys).
package ivsrealtime

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkrt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
)

// Client calls IVS Real-Time.
type Client struct {
	api *sdkrt.Client
}

// New returns a client for cfg.
func New(cfg aws.Config) *Client {
	return &Client{api: sdkrt.NewFromConfig(cfg)}
}

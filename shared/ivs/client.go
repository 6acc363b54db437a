// Package ivs is the adapter to Amazon IVS low-latency channels (channels,
// stream keys, streams, stream sessions, timed metadata). Domain packages
// reach it through their own ports; it translates IVS errors into
// onair errors with the reference's exception names.
package ivs

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
)

// Client calls IVS.
type Client struct {
	api *sdkivs.Client
}

// New returns a client for cfg (BaseEndpoint points it at the offline stack).
func New(cfg aws.Config) *Client {
	return &Client{api: sdkivs.NewFromConfig(cfg)}
}

// Package cloudwatch is the adapter that reads IVS stream metrics from
// CloudWatch (GetMetricData).
package cloudwatch

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// Client reads metrics.
type Client struct {
	api *sdkcw.Client
}

// New returns a client for cfg.
func New(cfg aws.Config) *Client {
	return &Client{api: sdkcw.NewFromConfig(cfg)}
}

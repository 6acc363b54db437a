// Package cloudwatch is the adapter that reads IVS stream metrics from
// CloudWatch (GetMetricData).
package cloudwatch

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/onair/onair/shared/streams"
)

// Client reads metrics.
type Client struct {
	api *sdkcw.Client
}

// New returns a client for cfg.
func New(cfg aws.Config) *Client {
	return &Client{api: sdkcw.NewFromConfig(cfg)}
}

// Open is the stream health's metrics reader in Lambda
// (app.Platform.StreamMetrics takes it).
func Open(cfg aws.Config) streams.MetricsReader { return New(cfg) }

package cloudwatch

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/streams"
)

// Namespace and dimension of IVS channel metrics.
const (
	ivsNamespace     = "AWS/IVS"
	channelDimension = "Channel"
)

// HighResolutionLag is how late CloudWatch's 1-second IVS metrics arrive:
// the newest ~30 s of a live session are not in yet.
const HighResolutionLag = 30 * time.Second

// Lag reports HighResolutionLag (streams.MetricsReader).
func (c *Client) Lag() time.Duration { return HighResolutionLag }

// maxPages bounds GetMetricData pagination (a session's window at its period
// is a few thousand points per metric; CloudWatch pages at 100,800).
const maxPages = 10

type getMetricDataAPI interface {
	GetMetricData(ctx context.Context, in *sdkcw.GetMetricDataInput, optFns ...func(*sdkcw.Options)) (*sdkcw.GetMetricDataOutput, error)
}

// ReadMetrics reads the Average of the channel's IVS metrics over
// [req.Start, req.End) in one GetMetricData call (paged), with, for each
// metric, the session average as TIME_SERIES(AVG(m)) and, for the metrics that
// ask for it, gaps filled with FILL(m, REPEAT).
func (c *Client) ReadMetrics(ctx context.Context, req streams.MetricsRequest) ([]streams.MetricSeries, error) {
	return readMetrics(ctx, c.api, req)
}

func queryID(name, suffix string) string { return strings.ToLower(name) + strings.ToLower(suffix) }

// metricDataInput builds the queries: per metric, the MetricStat (id = the
// lower-case name), its average, and its filled series when asked for. The
// raw series of a filled metric is only an input to FILL, so it is not
// returned.
func metricDataInput(req streams.MetricsRequest) *sdkcw.GetMetricDataInput {
	var queries []types.MetricDataQuery
	for _, m := range req.Metrics {
		id := queryID(m.Name, "")
		queries = append(queries, types.MetricDataQuery{
			Id:    aws.String(id),
			Label: aws.String(m.Name),
			MetricStat: &types.MetricStat{
				Metric: &types.Metric{
					Namespace:  aws.String(ivsNamespace),
					MetricName: aws.String(m.Name),
					Dimensions: []types.Dimension{{Name: aws.String(channelDimension), Value: aws.String(req.ChannelID)}},
				},
				Period: aws.Int32(int32(req.Period)),
				Stat:   aws.String("Average"),
			},
			ReturnData: aws.Bool(!m.Fill),
		}, types.MetricDataQuery{
			Id:         aws.String(queryID(m.Name, "Avg")),
			Label:      aws.String(m.Name + "Avg"),
			Expression: aws.String("TIME_SERIES(AVG(" + id + "))"),
			ReturnData: aws.Bool(true),
		})
		if m.Fill {
			queries = append(queries, types.MetricDataQuery{
				Id:         aws.String(queryID(m.Name, "Filled")),
				Label:      aws.String(m.Name + "Filled"),
				Expression: aws.String("FILL(" + id + ", REPEAT)"),
				ReturnData: aws.Bool(true),
			})
		}
	}
	return &sdkcw.GetMetricDataInput{
		StartTime:         aws.Time(req.Start),
		EndTime:           aws.Time(req.End),
		MetricDataQueries: queries,
		ScanBy:            types.ScanByTimestampAscending,
	}
}

func readMetrics(ctx context.Context, api getMetricDataAPI, req streams.MetricsRequest) ([]streams.MetricSeries, error) {
	in := metricDataInput(req)
	results := map[string]*types.MetricDataResult{}
	for range maxPages {
		out, err := api.GetMetricData(ctx, in)
		if err != nil {
			return nil, awserr.Map("cloudwatch:GetMetricData", err)
		}
		for _, r := range out.MetricDataResults {
			id := aws.ToString(r.Id)
			acc, ok := results[id]
			if !ok {
				acc = &types.MetricDataResult{Id: r.Id, Label: r.Label}
				results[id] = acc
			}
			n := min(len(r.Timestamps), len(r.Values))
			acc.Timestamps = append(acc.Timestamps, r.Timestamps[:n]...)
			acc.Values = append(acc.Values, r.Values[:n]...)
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	series := make([]streams.MetricSeries, 0, len(req.Metrics))
	for _, m := range req.Metrics {
		s := streams.MetricSeries{Name: m.Name}
		id := queryID(m.Name, "")
		if m.Fill {
			id = queryID(m.Name, "Filled")
		}
		if r := results[id]; r != nil {
			s.Timestamps, s.Values = r.Timestamps, r.Values
		}
		if r := results[queryID(m.Name, "Avg")]; r != nil && len(r.Values) > 0 {
			avg := r.Values[0]
			s.Average = &avg
		}
		series = append(series, s)
	}
	return series, nil
}

package cloudwatch

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkcw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/streams"
)

type fakeCW struct {
	inputs []sdkcw.GetMetricDataInput
	pages  []*sdkcw.GetMetricDataOutput
	err    error
}

func (f *fakeCW) GetMetricData(ctx context.Context, in *sdkcw.GetMetricDataInput, _ ...func(*sdkcw.Options)) (*sdkcw.GetMetricDataOutput, error) {
	f.inputs = append(f.inputs, *in)
	if f.err != nil {
		return nil, f.err
	}
	out := f.pages[0]
	f.pages = f.pages[1:]
	return out, nil
}

var (
	start = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	req   = streams.MetricsRequest{
		ChannelID: "AbCdEf123456",
		Metrics:   []streams.MetricQuery{{Name: "IngestVideoBitrate", Fill: true}, {Name: "KeyframeInterval"}},
		Start:     start,
		End:       start.Add(time.Minute),
		Period:    5,
	}
)

func at(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }

func TestMetricDataInput(t *testing.T) {
	in := metricDataInput(req)
	assert.Equal(t, start, *in.StartTime)
	assert.Equal(t, start.Add(time.Minute), *in.EndTime)
	type q struct {
		ID, Label, Expr, Metric string
		Return                  bool
		Period                  int32
	}
	var got []q
	for _, m := range in.MetricDataQueries {
		x := q{ID: *m.Id, Label: *m.Label, Expr: aws.ToString(m.Expression), Return: *m.ReturnData}
		if m.MetricStat != nil {
			ms := m.MetricStat
			require.Len(t, ms.Metric.Dimensions, 1)
			assert.Equal(t, "Channel", *ms.Metric.Dimensions[0].Name)
			assert.Equal(t, "AbCdEf123456", *ms.Metric.Dimensions[0].Value)
			assert.Equal(t, "AWS/IVS", *ms.Metric.Namespace)
			assert.Equal(t, "Average", *ms.Stat)
			x.Metric, x.Period = *ms.Metric.MetricName, *ms.Period
		}
		got = append(got, x)
	}
	assert.Equal(t, []q{
		{ID: "ingestvideobitrate", Label: "IngestVideoBitrate", Metric: "IngestVideoBitrate", Period: 5, Return: false},
		{ID: "ingestvideobitrateavg", Label: "IngestVideoBitrateAvg", Expr: "TIME_SERIES(AVG(ingestvideobitrate))", Return: true},
		{ID: "ingestvideobitratefilled", Label: "IngestVideoBitrateFilled", Expr: "FILL(ingestvideobitrate, REPEAT)", Return: true},
		{ID: "keyframeinterval", Label: "KeyframeInterval", Metric: "KeyframeInterval", Period: 5, Return: true},
		{ID: "keyframeintervalavg", Label: "KeyframeIntervalAvg", Expr: "TIME_SERIES(AVG(keyframeinterval))", Return: true},
	}, got)
}

func TestLagIsCloudWatchHighResolutionDelay(t *testing.T) {
	assert.Equal(t, 30*time.Second, New(aws.Config{}).Lag(), "stream health trims this much of a live chart")
}

func TestReadMetricsPagesAndMaps(t *testing.T) {
	api := &fakeCW{pages: []*sdkcw.GetMetricDataOutput{
		{
			MetricDataResults: []types.MetricDataResult{
				{Id: aws.String("ingestvideobitratefilled"), Timestamps: []time.Time{at(0), at(5)}, Values: []float64{1e6, 2e6}},
				{Id: aws.String("ingestvideobitrateavg"), Timestamps: []time.Time{at(0)}, Values: []float64{1.5e6}},
				{Id: aws.String("keyframeinterval"), Timestamps: []time.Time{at(0)}, Values: []float64{2}},
				{Id: aws.String("keyframeintervalavg")},
			},
			NextToken: aws.String("page2"),
		},
		{
			MetricDataResults: []types.MetricDataResult{
				{Id: aws.String("ingestvideobitratefilled"), Timestamps: []time.Time{at(10)}, Values: []float64{3e6}},
			},
		},
	}}
	got, err := readMetrics(context.Background(), api, req)
	require.NoError(t, err)
	require.Len(t, api.inputs, 2)
	assert.Nil(t, api.inputs[0].NextToken)
	assert.Equal(t, "page2", *api.inputs[1].NextToken)
	require.Len(t, got, 2)
	assert.Equal(t, "IngestVideoBitrate", got[0].Name)
	assert.Equal(t, []float64{1e6, 2e6, 3e6}, got[0].Values, "the filled series, across pages")
	assert.Equal(t, []time.Time{at(0), at(5), at(10)}, got[0].Timestamps)
	assert.Equal(t, 1.5e6, *got[0].Average)
	assert.Equal(t, []float64{2}, got[1].Values)
	assert.Nil(t, got[1].Average, "no average without data")
}

func TestReadMetricsErrors(t *testing.T) {
	api := &fakeCW{err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}
	_, err := readMetrics(context.Background(), api, req)
	require.Error(t, err)
	assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
}

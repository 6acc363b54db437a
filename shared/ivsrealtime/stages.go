package ivsrealtime

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkrt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// CreateStage creates a stage named name with tags.
func (c *Client) CreateStage(ctx context.Context, name string, tags map[string]string) (onair.RealTimeStage, error) {
	in := &sdkrt.CreateStageInput{Tags: tags}
	if name != "" {
		in.Name = aws.String(name)
	}
	out, err := c.api.CreateStage(ctx, in)
	if err != nil {
		return onair.RealTimeStage{}, awserr.Map("ivsrealtime CreateStage", err)
	}
	if out.Stage == nil || aws.ToString(out.Stage.Arn) == "" {
		return onair.RealTimeStage{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("ivsrealtime CreateStage: no stage in the response"))
	}
	return fromStage(out.Stage), nil
}

// GetStage describes the stage arn. ErrNotFound if it does not exist.
func (c *Client) GetStage(ctx context.Context, arn string) (onair.RealTimeStage, error) {
	out, err := c.api.GetStage(ctx, &sdkrt.GetStageInput{Arn: aws.String(arn)})
	if err != nil {
		return onair.RealTimeStage{}, awserr.Map("ivsrealtime GetStage", err)
	}
	if out.Stage == nil {
		return onair.RealTimeStage{}, onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", fmt.Errorf("ivsrealtime GetStage %s: no stage in the response", arn))
	}
	return fromStage(out.Stage), nil
}

// ListStagesTagged returns the stages that carry every tag of tags (IVS has
// no server-side filter, so this pages through all stages of the region).
// The summaries IVS lists have no endpoints; GetStage has them.
func (c *Client) ListStagesTagged(ctx context.Context, tags map[string]string) ([]onair.RealTimeStage, error) {
	var found []onair.RealTimeStage
	p := sdkrt.NewListStagesPaginator(c.api, &sdkrt.ListStagesInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Map("ivsrealtime ListStages", err)
		}
		for _, s := range page.Stages {
			if hasTags(s.Tags, tags) {
				found = append(found, onair.RealTimeStage{
					Arn:             aws.ToString(s.Arn),
					Name:            aws.ToString(s.Name),
					ActiveSessionID: aws.ToString(s.ActiveSessionId),
					Tags:            s.Tags,
				})
			}
		}
	}
	return found, nil
}

func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func fromStage(s *types.Stage) onair.RealTimeStage {
	st := onair.RealTimeStage{
		Arn:             aws.ToString(s.Arn),
		Name:            aws.ToString(s.Name),
		ActiveSessionID: aws.ToString(s.ActiveSessionId),
		Tags:            s.Tags,
	}
	if e := s.Endpoints; e != nil {
		st.Endpoints = onair.StageEndpoints{
			Events: aws.ToString(e.Events),
			Whip:   aws.ToString(e.Whip),
			RTMP:   aws.ToString(e.Rtmp),
			RTMPS:  aws.ToString(e.Rtmps),
		}
	}
	return st
}

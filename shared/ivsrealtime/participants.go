package ivsrealtime

import (
	"context"
	"fmt"
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkrt "github.com/aws/aws-sdk-go-v2/service/ivsrealtime"
	"github.com/aws/aws-sdk-go-v2/service/ivsrealtime/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// CreateParticipantToken mints a token through IVS (50 TPS account quota).
func (c *Client) CreateParticipantToken(ctx context.Context, req onair.ParticipantTokenRequest) (onair.ParticipantToken, error) {
	in := &sdkrt.CreateParticipantTokenInput{
		StageArn:   aws.String(req.StageArn),
		Attributes: req.Attributes,
	}
	if req.UserID != "" {
		in.UserId = aws.String(req.UserID)
	}
	// IVS defaults to both capabilities when none are given, so an empty
	// list must never reach it by accident: callers always pass at least one.
	for _, cp := range req.Capabilities {
		in.Capabilities = append(in.Capabilities, types.ParticipantTokenCapability(cp))
	}
	if req.Duration > 0 {
		// IVS takes whole minutes; round up so a caller never gets less than
		// it asked for.
		in.Duration = aws.Int32(int32(math.Ceil(req.Duration.Minutes())))
	}
	out, err := c.api.CreateParticipantToken(ctx, in)
	if err != nil {
		return onair.ParticipantToken{}, awserr.Map("ivsrealtime CreateParticipantToken", err)
	}
	t := out.ParticipantToken
	if t == nil || aws.ToString(t.Token) == "" {
		return onair.ParticipantToken{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("ivsrealtime CreateParticipantToken: no token in the response"))
	}
	tok := onair.ParticipantToken{
		Token:          aws.ToString(t.Token),
		ParticipantID:  aws.ToString(t.ParticipantId),
		UserID:         aws.ToString(t.UserId),
		Attributes:     t.Attributes,
		ExpirationTime: aws.ToTime(t.ExpirationTime),
	}
	for _, cp := range t.Capabilities {
		tok.Capabilities = append(tok.Capabilities, string(cp))
	}
	return tok, nil
}

// ListParticipants lists the participants of a stage session matching q,
// paging until q.Max participants (all when 0).
func (c *Client) ListParticipants(ctx context.Context, q onair.ParticipantQuery) ([]onair.RealTimeParticipant, error) {
	in := &sdkrt.ListParticipantsInput{
		StageArn:  aws.String(q.StageArn),
		SessionId: aws.String(q.SessionID),
		// IVS accepts at most one filter; the first one set wins.
		MaxResults: aws.Int32(100),
	}
	switch {
	case q.Published:
		in.FilterByPublished = true
	case q.State != "":
		in.FilterByState = types.ParticipantState(q.State)
	case q.UserID != "":
		in.FilterByUserId = aws.String(q.UserID)
	}
	var list []onair.RealTimeParticipant
	p := sdkrt.NewListParticipantsPaginator(c.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Map("ivsrealtime ListParticipants", err)
		}
		for _, s := range page.Participants {
			list = append(list, onair.RealTimeParticipant{
				ParticipantID: aws.ToString(s.ParticipantId),
				UserID:        aws.ToString(s.UserId),
				State:         string(s.State),
				Published:     s.Published,
				FirstJoinTime: aws.ToTime(s.FirstJoinTime),
			})
			if q.Max > 0 && len(list) >= q.Max {
				return list, nil
			}
		}
	}
	return list, nil
}

// DisconnectParticipant disconnects a participant from the stage, telling
// them why (reason ≤ 128 characters).
func (c *Client) DisconnectParticipant(ctx context.Context, stageArn, participantID, reason string) error {
	in := &sdkrt.DisconnectParticipantInput{
		StageArn:      aws.String(stageArn),
		ParticipantId: aws.String(participantID),
	}
	if reason != "" {
		in.Reason = aws.String(reason)
	}
	if _, err := c.api.DisconnectParticipant(ctx, in); err != nil {
		return awserr.Map("ivsrealtime DisconnectParticipant", err)
	}
	return nil
}

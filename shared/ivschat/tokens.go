package ivschat

import (
	"context"
	"fmt"
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/ivschat/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// CreateChatToken issues a token for req.UserID to join req.RoomArn.
func (c *Client) CreateChatToken(ctx context.Context, req onair.ChatTokenRequest) (onair.ChatToken, error) {
	in := &sdkchat.CreateChatTokenInput{
		RoomIdentifier: aws.String(req.RoomArn),
		UserId:         aws.String(req.UserID),
		Attributes:     req.Attributes,
	}
	for _, cp := range req.Capabilities {
		in.Capabilities = append(in.Capabilities, types.ChatTokenCapability(cp))
	}
	if req.SessionDuration > 0 {
		// IVS takes whole minutes (1–180); round up so a caller never gets
		// less than it asked for.
		in.SessionDurationInMinutes = aws.Int32(int32(math.Ceil(req.SessionDuration.Minutes())))
	}
	out, err := c.api.CreateChatToken(ctx, in)
	if err != nil {
		return onair.ChatToken{}, awserr.Map("ivschat CreateChatToken", err)
	}
	if out.Token == nil {
		return onair.ChatToken{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("ivschat CreateChatToken: no token in the response"))
	}
	return onair.ChatToken{
		Token:             aws.ToString(out.Token),
		TokenExpiration:   aws.ToTime(out.TokenExpirationTime),
		SessionExpiration: aws.ToTime(out.SessionExpirationTime),
	}, nil
}

// DisconnectUser closes every connection of userID to the room, telling the
// clients why. Disconnecting a user who is not connected is not an error.
func (c *Client) DisconnectUser(ctx context.Context, roomArn, userID, reason string) error {
	in := &sdkchat.DisconnectUserInput{
		RoomIdentifier: aws.String(roomArn),
		UserId:         aws.String(userID),
	}
	if reason != "" {
		in.Reason = aws.String(reason)
	}
	if _, err := c.api.DisconnectUser(ctx, in); err != nil {
		return awserr.Map("ivschat DisconnectUser", err)
	}
	return nil
}

package ivschat

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkchat "github.com/aws/aws-sdk-go-v2/service/ivschat"
	"github.com/aws/aws-sdk-go-v2/service/ivschat/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// CreateRoom creates a room with IVS Chat's default limits, or with
// spec.Review's handler and rate.
func (c *Client) CreateRoom(ctx context.Context, spec onair.ChatRoomSpec) (onair.ChatRoom, error) {
	in := &sdkchat.CreateRoomInput{Tags: spec.Tags}
	if spec.Name != "" {
		in.Name = aws.String(spec.Name)
	}
	in.MessageReviewHandler, in.MaximumMessageRatePerSecond = reviewInput(spec.Review)
	out, err := c.api.CreateRoom(ctx, in)
	if err != nil {
		return onair.ChatRoom{}, awserr.Map("ivschat CreateRoom", err)
	}
	if aws.ToString(out.Arn) == "" {
		return onair.ChatRoom{}, onair.Wrap(onair.Internal, "", "", fmt.Errorf("ivschat CreateRoom: no room in the response"))
	}
	return onair.ChatRoom{Arn: aws.ToString(out.Arn), Name: aws.ToString(out.Name), Tags: out.Tags}, nil
}

// SetReview sets the room's message review handler and rate (UpdateRoom;
// setting the same again changes nothing). ErrNotFound if the room is gone.
func (c *Client) SetReview(ctx context.Context, roomArn string, r onair.ChatRoomReview) error {
	in := &sdkchat.UpdateRoomInput{Identifier: aws.String(roomArn)}
	in.MessageReviewHandler, in.MaximumMessageRatePerSecond = reviewInput(r)
	if in.MessageReviewHandler == nil {
		// An empty uri removes the handler.
		in.MessageReviewHandler = &types.MessageReviewHandler{Uri: aws.String("")}
	}
	if _, err := c.api.UpdateRoom(ctx, in); err != nil {
		return awserr.Map("ivschat UpdateRoom", err)
	}
	return nil
}

func reviewInput(r onair.ChatRoomReview) (*types.MessageReviewHandler, *int32) {
	var rate *int32
	if r.MaxMessageRatePerSecond > 0 {
		rate = aws.Int32(int32(r.MaxMessageRatePerSecond))
	}
	if r.HandlerURI == "" {
		return nil, rate
	}
	return &types.MessageReviewHandler{Uri: aws.String(r.HandlerURI), FallbackResult: types.FallbackResult(r.FallbackResult)}, rate
}

// FindRooms returns the rooms named exactly name that carry every tag of
// tags. IVS Chat filters by name only; tags are checked here.
func (c *Client) FindRooms(ctx context.Context, name string, tags map[string]string) ([]onair.ChatRoom, error) {
	var found []onair.ChatRoom
	p := sdkchat.NewListRoomsPaginator(c.api, &sdkchat.ListRoomsInput{Name: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Map("ivschat ListRooms", err)
		}
		for _, s := range page.Rooms {
			if aws.ToString(s.Name) != name {
				continue
			}
			room := onair.ChatRoom{Arn: aws.ToString(s.Arn), Name: aws.ToString(s.Name), Tags: s.Tags}
			if s.Tags == nil && len(tags) > 0 {
				// No tags in the summary: read them from the room itself.
				out, err := c.api.GetRoom(ctx, &sdkchat.GetRoomInput{Identifier: s.Arn})
				if awserr.Code(err) == "ResourceNotFoundException" {
					continue
				}
				if err != nil {
					return nil, awserr.Map("ivschat GetRoom", err)
				}
				room.Tags = out.Tags
			}
			if onair.HasTags(room.Tags, tags) {
				found = append(found, room)
			}
		}
	}
	return found, nil
}

// DeleteRoom deletes the room; a room already gone is not an error.
func (c *Client) DeleteRoom(ctx context.Context, arn string) error {
	_, err := c.api.DeleteRoom(ctx, &sdkchat.DeleteRoomInput{Identifier: aws.String(arn)})
	if err != nil && awserr.Code(err) != "ResourceNotFoundException" {
		return awserr.Map("ivschat DeleteRoom", err)
	}
	return nil
}

// ListRooms returns one page of every room of the account and region (all
// stacks': the caller filters by tags) and the cursor of the next page,
// empty after the last. cursor is empty for the first page; a cursor IVS
// Chat no longer accepts is Invalid.
func (c *Client) ListRooms(ctx context.Context, cursor string) ([]onair.ChatRoomSummary, string, error) {
	in := &sdkchat.ListRoomsInput{MaxResults: aws.Int32(listRoomsPage)}
	if cursor != "" {
		in.NextToken = aws.String(cursor)
	}
	out, err := c.api.ListRooms(ctx, in)
	if err != nil {
		return nil, "", awserr.Map("ivschat ListRooms", err)
	}
	rooms := make([]onair.ChatRoomSummary, 0, len(out.Rooms))
	for _, s := range out.Rooms {
		r := onair.ChatRoomSummary{Arn: aws.ToString(s.Arn), Tags: s.Tags}
		if h := s.MessageReviewHandler; h != nil {
			r.HandlerURI, r.FallbackResult = aws.ToString(h.Uri), string(h.FallbackResult)
		}
		rooms = append(rooms, r)
	}
	return rooms, aws.ToString(out.NextToken), nil
}

// listRoomsPage is IVS Chat's largest ListRooms page: the fewest calls
// (ListRooms is held to 5 a second per account).
const listRoomsPage = 50

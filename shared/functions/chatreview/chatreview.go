// Package chatreview builds ChatReview, the message review handler IVS Chat
// invokes for every message sent to a room (shared/chatreview).
package chatreview

import (
	"context"

	"github.com/onair/onair/shared/app"
	review "github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/dynamo"
)

// Function is ChatReview.
func Function() app.Function { return app.Event("ChatReview", build) }

func build(ctx context.Context, p *app.Platform) (any, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	return review.New(db, p.Clock).Review, nil
}

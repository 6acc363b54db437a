// Package setupchatrooms builds SetUpChatRooms, the scheduled sweep that
// sets every chat room of the stack up with the message review handler
// (shared/chatreview).
package setupchatrooms

import (
	"context"
	"time"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivschat"
)

// Function is SetUpChatRooms (PROJECT_TAG, CHAT_REVIEW_HANDLER_ARN).
func Function() app.Function { return app.Event("SetUpChatRooms", build) }

// The sweep's pace and margin: 2 UpdateRoom a second of IVS Chat's 5 per
// account (the rest is left to the chat-token and ban routes' Ensure and
// to provisioning), and a minute before the function's timeout (300 s) to
// save its progress: about 400 rooms updated per run at most, thousands
// checked.
const (
	pace    = 500 * time.Millisecond
	reserve = time.Minute
)

func build(ctx context.Context, p *app.Platform) (any, error) {
	if err := p.Env.Required("PROJECT_TAG", "CHAT_REVIEW_HANDLER_ARN"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	sweep, err := chatreview.NewSweep(db, ivschat.New(p.AWS), chatreview.SweepConfig{
		Project:    p.Env.String("PROJECT_TAG"),
		HandlerARN: p.Env.String("CHAT_REVIEW_HANDLER_ARN"),
		Pace:       pace,
		Reserve:    reserve,
	})
	if err != nil {
		return nil, err
	}
	return sweep.Run, nil
}

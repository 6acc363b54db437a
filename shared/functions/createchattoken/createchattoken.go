// Package createchattoken builds CreateChatToken: an IVS Chat token for a
// channel's room; login is optional (signed-out viewers read only).
package createchattoken

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/chat"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivschat"
)

// Function is CreateChatToken.
func Function() app.Function {
	return app.HTTP("CreateChatToken", app.Optional, build, "POST /channel/chatToken/create")
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	if err := p.Env.Required("CHAT_REVIEW_HANDLER_ARN"); err != nil {
		return nil, err
	}
	rooms := ivschat.New(p.AWS)
	return chat.CreateChatToken(db, rooms, chatreview.NewSetup(db, rooms, p.Env.String("CHAT_REVIEW_HANDLER_ARN"))), nil
}

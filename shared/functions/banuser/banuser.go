// Package banuser builds BanUser: banning a user from the caller's channel
// and chat room.
package banuser

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/ivschat"
	"github.com/onair/onair/shared/social"
)

// Function is BanUser.
func Function() app.Function { return app.HTTP("BanUser", app.Required, build, "POST /channel/ban") }

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	if err := p.Env.Required("CHAT_REVIEW_HANDLER_ARN"); err != nil {
		return nil, err
	}
	rooms := ivschat.New(p.AWS)
	return social.BanUser(db, rooms, chatreview.NewSetup(db, rooms, p.Env.String("CHAT_REVIEW_HANDLER_ARN")), p.Clock), nil
}

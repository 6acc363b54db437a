package accounts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/profiles"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

func postConfirmationEvent(t *testing.T, source, attrs, metadata string) events.CognitoEventUserPoolsPostConfirmation {
	t.Helper()
	raw := `{"version":"1","triggerSource":"` + source + `","region":"us-east-1",
	  "userPoolId":"us-east-1_AbCdEfGhI","userName":"ann_1",
	  "callerContext":{"awsSdkVersion":"aws-sdk-js-3.0.0","clientId":"4abcdefghij1234567890klmno"},
	  "request":{"userAttributes":` + attrs + `,"clientMetadata":` + metadata + `},
	  "response":{}}`
	var ev events.CognitoEventUserPoolsPostConfirmation
	require.NoError(t, json.Unmarshal([]byte(raw), &ev))
	return ev
}

const confirmedAttrs = `{"sub":"sub-ann","email":"Ann@Example.com","email_verified":"true","cognito:user_status":"CONFIRMED"}`

func TestPostConfirmation(t *testing.T) {
	cases := []struct {
		name     string
		source   string
		attrs    string
		metadata string
		existing bool
		storeErr error
		want     *onair.User // nil: no profile written
		random   bool        // avatar and colour are random presets
		errText  string
		metric   bool
	}{
		{
			name: "creates the profile", attrs: confirmedAttrs, metadata: `{"avatar":"hippo","color":"lavender"}`,
			want:   &onair.User{Sub: "sub-ann", Username: "ann_1", Email: "Ann@Example.com", Avatar: "hippo", Color: "lavender", CreatedAt: t0, Version: 1},
			metric: true,
		},
		{
			name:  "public name from preferred_username",
			attrs: `{"sub":"sub-ann","email":"ann@example.com","preferred_username":"Annie"}`, metadata: `{"avatar":"bear","color":"blue"}`,
			want:   &onair.User{Sub: "sub-ann", Username: "Annie", Email: "ann@example.com", Avatar: "bear", Color: "blue", CreatedAt: t0, Version: 1},
			metric: true,
		},
		{name: "no metadata: random presets", attrs: confirmedAttrs, metadata: `null`, random: true, metric: true},
		{name: "invalid choices: random presets", attrs: confirmedAttrs, metadata: `{"avatar":"custom","color":"<b>red</b>"}`, random: true, metric: true},
		{
			name: "already exists: success, nothing changed", attrs: confirmedAttrs, metadata: `{"avatar":"hippo","color":"lavender"}`, existing: true,
			want: &onair.User{Sub: "sub-ann", Username: "ann_1", Email: "Ann@Example.com", Avatar: "dog", Color: "green", Version: 1},
		},
		{name: "forgotten password confirmed: ignored", source: "PostConfirmation_ConfirmForgotPassword", attrs: confirmedAttrs, metadata: `{}`},
		{name: "store down", attrs: confirmedAttrs, metadata: `{}`, storeErr: errors.New("boom"), errText: "UnexpectedException"},
		{name: "no sub", attrs: `{"email":"a@example.com"}`, metadata: `{}`, errText: "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.WithFaults(bolttest.New(t))
			if tc.existing {
				require.NoError(t, st.CreateUser(t.Context(), onair.User{Sub: "sub-ann", Username: "ann_1", Email: "Ann@Example.com", Avatar: "dog", Color: "green"}))
			}
			st.Before(func(context.Context, string, []any) error { return tc.storeErr })
			var metrics bytes.Buffer
			ctx := telemetry.WithMetrics(t.Context(), telemetry.NewMetrics(&metrics, "PostConfirmation", nil))
			source := tc.source
			if source == "" {
				source = "PostConfirmation_ConfirmSignUp"
			}
			ev := postConfirmationEvent(t, source, tc.attrs, tc.metadata)
			p := &Profiles{Store: st, Now: func() time.Time { return t0 }}

			out, err := p.PostConfirmation(ctx, ev)
			if tc.errText != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.errText)
				assert.NotContains(t, err.Error(), "boom")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ev, out)
			assert.Equal(t, tc.metric, bytes.Contains(metrics.Bytes(), []byte(`"SignUps":1`)))
			u, err := st.GetUser(t.Context(), "sub-ann")
			switch {
			case tc.random:
				require.NoError(t, err)
				assert.True(t, profiles.IsPresetAvatar(u.Avatar), u.Avatar)
				assert.True(t, profiles.IsColor(u.Color), u.Color)
				assert.Equal(t, "ann_1", u.Username)
			case tc.want != nil:
				require.NoError(t, err)
				assert.Equal(t, *tc.want, u)
			default:
				assert.ErrorIs(t, err, onair.ErrNotFound, "no profile written")
			}
		})
	}
}

// Cognito may deliver the trigger twice; the second run must neither fail
// nor change the profile.
func TestPostConfirmationIsIdempotent(t *testing.T) {
	st := bolttest.New(t)
	p := &Profiles{Store: st, Now: func() time.Time { return t0 }}
	ev := postConfirmationEvent(t, "PostConfirmation_ConfirmSignUp", confirmedAttrs, `{}`)
	_, err := p.PostConfirmation(t.Context(), ev)
	require.NoError(t, err)
	first, err := st.GetUser(t.Context(), "sub-ann")
	require.NoError(t, err)
	p.Now = func() time.Time { return t0.Add(time.Minute) }
	_, err = p.PostConfirmation(t.Context(), ev)
	require.NoError(t, err)
	second, err := st.GetUserByEmail(t.Context(), "ann@example.com")
	require.NoError(t, err, "one profile for the email")
	assert.Equal(t, first, second)
}

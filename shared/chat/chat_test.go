package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/storetest"
	"github.com/onair/onair/shared/telemetry"
)

type fakeTokens struct {
	reqs []onair.ChatTokenRequest
	err  error
}

var t0 = time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)

func (f *fakeTokens) CreateChatToken(_ context.Context, req onair.ChatTokenRequest) (onair.ChatToken, error) {
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return onair.ChatToken{}, f.err
	}
	return onair.ChatToken{Token: "tok-" + req.UserID, TokenExpiration: t0.Add(time.Minute), SessionExpiration: t0.Add(req.SessionDuration)}, nil
}

// roomReview records the rooms set up with the review handler.
type roomReview struct {
	owners []string
	err    error
}

func (r *roomReview) Ensure(_ context.Context, owner onair.User) error {
	r.owners = append(r.owners, owner.Sub)
	return r.err
}

// fakeVerifier accepts the tokens it knows.
type fakeVerifier map[string]onair.Caller

func (v fakeVerifier) Verify(_ context.Context, token string) (onair.Caller, error) {
	if c, ok := v[token]; ok {
		return c, nil
	}
	return onair.Caller{}, onair.Errorf(onair.Unauthorized, "UnauthorizedException", "Invalid token.")
}

var (
	owner = onair.User{Sub: "sub-owner", Username: "Streamer", Avatar: "bear", Color: "blue",
		ChannelArn: "arn:aws:ivs:us-east-1:1:channel/OWN", ChatRoomArn: "arn:aws:ivschat:us-east-1:1:room/ROOM"}
	viewer = onair.User{Sub: "sub-viewer", Username: "Viewer", Avatar: "custom", Color: "green",
		ChannelArn:    "arn:aws:ivs:us-east-1:1:channel/VIEW",
		ChannelAssets: map[string]onair.Asset{"avatar": {URL: "https://cdn/v/avatar?versionId=1"}, "banner": {URL: "https://cdn/v/banner"}}}
	banned  = onair.User{Sub: "sub-banned", Username: "Troll", Avatar: "dog", Color: "yellow"}
	noRoom  = onair.User{Sub: "sub-new", Username: "Newbie"}
	callers = fakeVerifier{
		"owner-token":  {Sub: owner.Sub, Username: "streamer"},
		"viewer-token": {Sub: viewer.Sub, Username: "viewer"},
		"banned-token": {Sub: banned.Sub, Username: "troll"},
		"ghost-token":  {Sub: "sub-ghost", Username: "ghost"},
	}
)

func TestCreateToken(t *testing.T) {
	cases := []struct {
		name     string
		token    string
		body     string
		storeErr error
		tokenErr error
		status   int
		errType  string
		caps     []string // sent to IVS
		userID   string   // "" = anonymous
		attrs    map[string]string
		respCaps []string
		role     string
	}{
		{
			name: "anonymous reads only", body: `{"chatRoomOwnerUsername":"Streamer"}`, status: 200,
			respCaps: []string{"VIEW_MESSAGE"}, role: RoleAnonymous,
		},
		{
			name: "signed-in viewer sends", token: "viewer-token", body: `{"chatRoomOwnerUsername":"streamer"}`, status: 200,
			caps: []string{"SEND_MESSAGE"}, userID: viewer.Sub, role: RoleViewer,
			respCaps: []string{"SEND_MESSAGE", "VIEW_MESSAGE"},
			attrs: map[string]string{"avatar": "custom", "color": "green", "displayName": "Viewer",
				"channelArn": viewer.ChannelArn, "channelAssetUrls": `{"avatar":"https://cdn/v/avatar?versionId=1"}`},
		},
		{
			name: "owner moderates", token: "owner-token", body: `{"chatRoomOwnerUsername":"STREAMER"}`, status: 200,
			caps: []string{"SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"}, userID: owner.Sub, role: RoleModerator,
			respCaps: []string{"SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER", "VIEW_MESSAGE"},
			attrs: map[string]string{"avatar": "bear", "color": "blue", "displayName": "Streamer",
				"channelArn": owner.ChannelArn, "channelAssetUrls": `{}`},
		},
		{
			name: "Bearer prefix accepted", token: "Bearer viewer-token", body: `{"chatRoomOwnerUsername":"streamer"}`, status: 200,
			caps: []string{"SEND_MESSAGE"}, userID: viewer.Sub, role: RoleViewer, respCaps: []string{"SEND_MESSAGE", "VIEW_MESSAGE"},
		},
		{name: "banned viewer is refused", token: "banned-token", body: `{"chatRoomOwnerUsername":"streamer"}`, status: 403, errType: "ForbiddenException"},
		{name: "invalid token is 401, not anonymous", token: "forged", body: `{"chatRoomOwnerUsername":"streamer"}`, status: 401, errType: "UnauthorizedException"},
		{name: "signed in without a profile", token: "ghost-token", body: `{"chatRoomOwnerUsername":"streamer"}`, status: 403, errType: "ForbiddenException"},
		{name: "unknown owner", body: `{"chatRoomOwnerUsername":"nobody"}`, status: 404, errType: "UserNotFoundException"},
		{name: "owner without chat room", body: `{"chatRoomOwnerUsername":"newbie"}`, status: 404, errType: "ChatRoomArnNotFoundException"},
		{name: "missing owner", body: `{}`, status: 400, errType: "BadRequestException"},
		{name: "blank owner", body: `{"chatRoomOwnerUsername":"  "}`, status: 400, errType: "BadRequestException"},
		{name: "no body", body: ``, status: 400, errType: "BadRequestException"},
		{name: "wrong type", body: `{"chatRoomOwnerUsername":7}`, status: 400, errType: "BadRequestException"},
		{name: "store failure", body: `{"chatRoomOwnerUsername":"streamer"}`, storeErr: errors.New("down"), status: 500, errType: "UnexpectedException"},
		{name: "IVS throttles", body: `{"chatRoomOwnerUsername":"streamer"}`, tokenErr: onair.Errorf(onair.Throttled, "TooManyRequestsException", "slow down"), status: 429, errType: "TooManyRequestsException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.WithFaults(bolttest.New(t, owner, viewer, banned, noRoom))
			_, err := st.PutBan(t.Context(), onair.Ban{OwnerSub: owner.Sub, BannedSub: banned.Sub, At: t0})
			require.NoError(t, err)
			st.Before(func(context.Context, string, []any) error { return tc.storeErr })
			tokens := &fakeTokens{err: tc.tokenErr}
			var metrics bytes.Buffer
			review := &roomReview{}
			h := httpapi.OptionalCaller(callers, httpapi.Func(New(st, tokens, review).CreateToken))

			r := httptest.NewRequest(http.MethodPost, "/channel/chatToken/create", strings.NewReader(tc.body))
			if tc.token != "" {
				r.Header.Set("Authorization", tc.token)
			}
			r = r.WithContext(telemetry.WithMetrics(r.Context(), telemetry.NewMetrics(&metrics, "CreateChatToken", nil)))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.status != 200 {
				var e httpapi.ErrorBody
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
				assert.Equal(t, tc.errType, e.Type)
				assert.NotEmpty(t, e.Message)
				if tc.tokenErr == nil {
					assert.Empty(t, tokens.reqs, "no token may be issued")
				}
				assert.Empty(t, metrics.String())
				return
			}

			require.Len(t, tokens.reqs, 1)
			req := tokens.reqs[0]
			assert.Equal(t, owner.ChatRoomArn, req.RoomArn)
			assert.Equal(t, 60*time.Minute, req.SessionDuration)
			assert.Equal(t, tc.caps, req.Capabilities)
			if tc.userID == "" {
				assert.Regexp(t, `^anonymous-[A-Z2-7]{26}$`, req.UserID)
				assert.Empty(t, req.Attributes)
			} else {
				assert.Equal(t, tc.userID, req.UserID)
			}
			if tc.attrs != nil {
				assert.Equal(t, tc.attrs, req.Attributes)
			}

			var resp map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
			assert.Equal(t, "tok-"+req.UserID, resp["token"])
			assert.Equal(t, "2026-01-10T18:01:00Z", resp["tokenExpirationTime"])
			assert.Equal(t, "2026-01-10T19:00:00Z", resp["sessionExpirationTime"])
			var caps []string
			for _, c := range resp["capabilities"].([]any) {
				caps = append(caps, c.(string))
			}
			assert.Equal(t, tc.respCaps, caps)

			assert.Equal(t, []string{owner.Sub}, review.owners, "the room is set up before its token is minted")
			assert.Contains(t, metrics.String(), `"ChatTokensIssued":1`)
			assert.Contains(t, metrics.String(), `"Role":"`+tc.role+`"`)
		})
	}
}

func TestAnonymousIDsDiffer(t *testing.T) {
	st := bolttest.New(t, owner)
	tokens := &fakeTokens{}
	h := httpapi.Func(New(st, tokens, &roomReview{}).CreateToken)
	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"chatRoomOwnerUsername":"streamer"}`)))
		require.Equal(t, 200, w.Code)
	}
	require.Len(t, tokens.reqs, 2)
	assert.NotEqual(t, tokens.reqs[0].UserID, tokens.reqs[1].UserID)
}

// TestTokenDespiteRoomSetupFailure: a room whose review handler could not
// be set still gets its token (the next request tries again).
func TestTokenDespiteRoomSetupFailure(t *testing.T) {
	st := bolttest.New(t, owner)
	tokens := &fakeTokens{}
	review := &roomReview{err: errors.New("throttled")}
	w := httptest.NewRecorder()
	httpapi.Func(New(st, tokens, review).CreateToken).ServeHTTP(w,
		httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"chatRoomOwnerUsername":"streamer"}`)))
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.Equal(t, []string{owner.Sub}, review.owners)
	assert.Len(t, tokens.reqs, 1)
}

func TestAttributesFitIVSLimit(t *testing.T) {
	u := viewer
	u.ChannelAssets = map[string]onair.Asset{"avatar": {URL: "https://cdn.example/" + strings.Repeat("x", 1000)}}
	attrs := Attributes(u)
	assert.LessOrEqual(t, AttributesSize(attrs), MaxAttributesBytes)
	assert.Equal(t, "{}", attrs["channelAssetUrls"])
	assert.Equal(t, "Viewer", attrs["displayName"])

	// Unprovisioned users have no channel ARN: the attribute is left out.
	attrs = Attributes(onair.User{Sub: "s", Username: "fresh", Avatar: "bear", Color: "blue"})
	assert.Equal(t, map[string]string{"avatar": "bear", "color": "blue", "displayName": "fresh", "channelAssetUrls": "{}"}, attrs)
}

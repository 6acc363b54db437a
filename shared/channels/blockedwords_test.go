package channels_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/channels"
	"github.com/onair/onair/shared/onair"
)

func putPreferences(t *testing.T, h http.Handler, sub, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPut, "/channel/preferences/update", strings.NewReader(body))
	r = r.WithContext(onair.WithCaller(context.Background(), onair.Caller{Sub: sub, Username: "owner"}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestBlockedWordsPreference: the owner's blocked chat words are a list the
// preferences route replaces, validated and stored as normalized, and shown
// by GET /channel.
func TestBlockedWordsPreference(t *testing.T) {
	long := strings.Repeat("x", 51)
	many := `[` + strings.TrimSuffix(strings.Repeat(`"w",`, 101), ",") + `]`
	cases := []struct {
		name   string
		before []string
		body   string
		status int
		echo   string // the answer's blockedWords, as stored
		want   []string
	}{
		{"set", nil, `{"blockedWords":["darn","heck no"]}`, 200, `["darn","heck no"]`, []string{"darn", "heck no"}},
		{"stored normalized", nil, `{"blockedWords":["  Darn ","darn","heck   no"]}`, 200, `["Darn","heck no"]`, []string{"Darn", "heck no"}},
		{"replaces the list", []string{"old"}, `{"blockedWords":["new"]}`, 200, `["new"]`, []string{"new"}},
		{"[] clears it", []string{"old"}, `{"blockedWords":[]}`, 200, `[]`, nil},
		{"with another preference", nil, `{"blockedWords":["darn"],"color":{"name":"green"}}`, 200, `["darn"]`, []string{"darn"}},
		{"not a list", []string{"old"}, `{"blockedWords":"darn"}`, 400, "", []string{"old"}},
		{"null", []string{"old"}, `{"blockedWords":null}`, 400, "", []string{"old"}},
		{"not strings", []string{"old"}, `{"blockedWords":[1,2]}`, 400, "", []string{"old"}},
		{"an empty word", []string{"old"}, `{"blockedWords":["ok"," "]}`, 400, "", []string{"old"}},
		{"punctuation only", []string{"old"}, `{"blockedWords":["!!"]}`, 400, "", []string{"old"}},
		{"a word over 50 characters", []string{"old"}, `{"blockedWords":["` + long + `"]}`, 400, "", []string{"old"}},
		{"over 100 words", []string{"old"}, `{"blockedWords":` + many + `}`, 400, "", []string{"old"}},
		{"a refusal elsewhere changes nothing", []string{"old"}, `{"blockedWords":["new"],"color":{"name":"nope"}}`, 400, "", []string{"old"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := bolttest.New(t, onair.User{Sub: "owner1", Username: "owner", Color: "blue", BlockedWords: tc.before})
			h := channels.UpdatePreferences(st, channels.Config{}, time.Now)

			w := putPreferences(t, h, "owner1", tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.status == 200 {
				assert.Contains(t, w.Body.String(), `"blockedWords":`+tc.echo)
			} else {
				assert.Contains(t, w.Body.String(), "BadRequestException")
			}
			u, err := st.GetUser(t.Context(), "owner1")
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.BlockedWords)
		})
	}
}

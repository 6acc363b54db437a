package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

// jsonOfSize returns a JSON string document of exactly n bytes.
func jsonOfSize(n int) json.RawMessage {
	return json.RawMessage(`"` + strings.Repeat("x", n-2) + `"`)
}

func documentCases() []testCase {
	return []testCase{
		{"Document/PutGetReplace", func(t *testing.T, s store.Store) {
			c := ctx(t)
			_, err := s.GetDocument(c, "u1", "overlay")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			doc := json.RawMessage(`{"presets":[{"name":"a","enabled":true}],"n":1.5}`)
			require.NoError(t, s.PutDocument(c, "u1", "overlay", doc))
			got, err := s.GetDocument(c, "u1", "overlay")
			require.NoError(t, err)
			assert.Equal(t, string(doc), string(got))
			require.NoError(t, s.PutDocument(c, "u1", "overlay", json.RawMessage(`[]`)))
			got, err = s.GetDocument(c, "u1", "overlay")
			require.NoError(t, err)
			assert.Equal(t, `[]`, string(got))
			_, err = s.GetDocument(c, "u2", "overlay")
			assert.ErrorIs(t, err, onair.ErrNotFound, "documents are per user")
			_, err = s.GetDocument(c, "u1", "other")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"Document/SizeLimit", func(t *testing.T, s store.Store) {
			c := ctx(t)
			require.NoError(t, s.PutDocument(c, "u1", "big", jsonOfSize(64<<10)))
			got, err := s.GetDocument(c, "u1", "big")
			require.NoError(t, err)
			assert.Len(t, got, 64<<10)
			requireCode(t, s.PutDocument(c, "u1", "big", jsonOfSize(64<<10+1)), onair.TooLarge)
			got, err = s.GetDocument(c, "u1", "big")
			require.NoError(t, err)
			assert.Len(t, got, 64<<10, "the rejected document did not replace the stored one")
		}},
		{"Document/RejectsBadInput", func(t *testing.T, s store.Store) {
			c := ctx(t)
			requireCode(t, s.PutDocument(c, "u1", "d", json.RawMessage(`{not json`)), onair.Invalid)
			requireCode(t, s.PutDocument(c, "u1", "", json.RawMessage(`{}`)), onair.Invalid)
			requireCode(t, s.PutDocument(c, "", "d", json.RawMessage(`{}`)), onair.Invalid)
			_, err := s.GetDocument(c, "u1", "d")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"Document/DeleteDocuments", func(t *testing.T, s store.Store) {
			c := ctx(t)
			mustCreate(t, s, fullUser("u1", "Alice"))
			_, err := s.PutFollow(c, onair.Follow{FollowerSub: "u1", FollowedSub: "u2", At: at(0)})
			require.NoError(t, err)
			for _, n := range []string{"overlay", "active", "presets"} {
				require.NoError(t, s.PutDocument(c, "u1", n, json.RawMessage(`{}`)))
			}
			require.NoError(t, s.PutDocument(c, "u2", "overlay", json.RawMessage(`{"keep":true}`)))
			require.NoError(t, s.DeleteDocuments(c, "u1"))
			for _, n := range []string{"overlay", "active", "presets"} {
				_, err := s.GetDocument(c, "u1", n)
				assert.ErrorIs(t, err, onair.ErrNotFound, n)
			}
			got, err := s.GetDocument(c, "u2", "overlay")
			require.NoError(t, err)
			assert.JSONEq(t, `{"keep":true}`, string(got))
			_, err = s.GetUser(c, "u1")
			assert.NoError(t, err, "the profile stays")
			_, err = s.GetFollow(c, "u1", "u2")
			assert.NoError(t, err, "edges stay")
			assert.NoError(t, s.DeleteDocuments(c, "u1"))
		}},
	}
}

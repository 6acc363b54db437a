package storetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

const (
	chanA = "arn:aws:ivs:us-east-1:111122223333:channel/AAAAAAAAAAAA"
	chanB = "arn:aws:ivs:us-east-1:111122223333:channel/BBBBBBBBBBBB"
)

// putSession creates a session with the given start (zero: not known) and
// open state.
func putSession(t *testing.T, s store.Store, channelArn, streamID string, start time.Time, open bool) {
	t.Helper()
	_, err := s.UpdateSession(ctx(t), channelArn, streamID, func(v *onair.StreamSession) error {
		v.OwnerSub = "owner"
		v.StartTime = start
		v.Open = open
		return nil
	})
	require.NoError(t, err)
}

func streamIDs(sessions []onair.StreamSession) []string {
	out := make([]string, len(sessions))
	for i, v := range sessions {
		out[i] = v.StreamID
	}
	return out
}

func sessionCases() []testCase {
	return []testCase{
		{"Session/GetMissing", func(t *testing.T, s store.Store) {
			_, err := s.GetSession(ctx(t), chanA, "st-none")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"Session/UpdateCreatesAndKeepsEveryField", func(t *testing.T, s store.Store) {
			var want onair.StreamSession
			got, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
				assert.Equal(t, onair.StreamSession{ChannelArn: chanA, StreamID: "st-1"}, *v, "fn sees only the keys")
				v.OwnerSub = "owner"
				v.StartTime = at(0)
				v.EndTime = at(time.Hour)
				v.IsHealthy = true
				v.HasErrorEvent = true
				v.Events = []onair.StreamEvent{
					{ID: "e1", Time: at(0), Type: "IVS Stream State Change", Name: "Session Created", Detail: map[string]string{"stream_id": "st-1"}},
					{ID: "e2", Time: at(time.Hour), Type: "IVS Stream State Change", Name: "Session Ended"},
				}
				v.IngestConfiguration = json.RawMessage(`{"audio":{"channels":2},"video":{"codec":"avc1"}}`)
				v.Metrics = map[string]json.RawMessage{"P60-S1-E2": json.RawMessage(`[{"label":"IngestVideoBitrate","data":[1,2.5]}]`)}
				want = *v
				return nil
			})
			require.NoError(t, err)
			want.Version = 1
			assert.Equal(t, want, got)
			stored, err := s.GetSession(ctx(t), chanA, "st-1")
			require.NoError(t, err)
			assert.Equal(t, want, stored)

			got, err = s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
				assert.Equal(t, want, *v, "fn sees the stored session")
				v.Events = v.Events[:1]
				v.Metrics = nil
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, int64(2), got.Version)
			assert.Len(t, got.Events, 1)
			assert.Nil(t, got.Metrics)
		}},
		{"Session/UpdateUnchangedOnMissingCreatesNothing", func(t *testing.T, s store.Store) {
			got, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
				v.OwnerSub = "x"
				return onair.ErrUnchanged
			})
			require.NoError(t, err)
			assert.Equal(t, onair.StreamSession{ChannelArn: chanA, StreamID: "st-1"}, got)
			_, err = s.GetSession(ctx(t), chanA, "st-1")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"Session/UpdateUnchangedKeepsRecord", func(t *testing.T, s store.Store) {
			putSession(t, s, chanA, "st-1", at(0), true)
			got, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
				v.Open = false
				return onair.ErrUnchanged
			})
			require.NoError(t, err)
			assert.True(t, got.Open)
			assert.Equal(t, int64(1), got.Version)
			open, err := s.ListOpenSessions(ctx(t), chanA)
			require.NoError(t, err)
			assert.Equal(t, []string{"st-1"}, streamIDs(open))
		}},
		{"Session/UpdateFnErrorWritesNothing", func(t *testing.T, s store.Store) {
			_, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
				v.OwnerSub = "x"
				return errBoom
			})
			assert.Same(t, errBoom, err)
			_, err = s.GetSession(ctx(t), chanA, "st-1")
			assert.ErrorIs(t, err, onair.ErrNotFound, "not created")

			putSession(t, s, chanA, "st-1", at(0), true)
			_, err = s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error {
				v.Open = false
				v.Events = append(v.Events, onair.StreamEvent{ID: "e"})
				return errBoom
			})
			assert.Same(t, errBoom, err)
			got, err := s.GetSession(ctx(t), chanA, "st-1")
			require.NoError(t, err)
			assert.True(t, got.Open)
			assert.Empty(t, got.Events)
			assert.Equal(t, int64(1), got.Version)
		}},
		{"Session/UpdateCannotChangeKeys", func(t *testing.T, s store.Store) {
			_, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error { v.StreamID = "st-2"; return nil })
			require.Error(t, err)
			_, err = s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error { v.ChannelArn = chanB; return nil })
			require.Error(t, err)
			for _, key := range [][2]string{{chanA, "st-1"}, {chanA, "st-2"}, {chanB, "st-1"}} {
				_, err = s.GetSession(ctx(t), key[0], key[1])
				assert.ErrorIs(t, err, onair.ErrNotFound)
			}
		}},
		{"Session/ListPagesNewestFirst", func(t *testing.T, s store.Store) {
			// Seven started sessions, spaced so that only a fixed-width
			// sort key orders them; two not yet started (left out); one
			// of another channel.
			starts := []time.Time{
				at(0).Truncate(time.Second),                  // st-1
				at(0).Truncate(time.Second).Add(100e6),       // st-2 (.1)
				at(0).Truncate(time.Second).Add(250e6),       // st-3 (.25)
				at(0).Truncate(time.Second).Add(time.Second), // st-4
				at(time.Minute),                              // st-5
				at(time.Hour),                                // st-6
				at(24 * time.Hour),                           // st-7
			}
			for i, start := range starts {
				putSession(t, s, chanA, fmt.Sprintf("st-%d", i+1), start, i == 6)
			}
			putSession(t, s, chanA, "st-unstarted-1", time.Time{}, false)
			putSession(t, s, chanA, "st-unstarted-2", time.Time{}, true)
			putSession(t, s, chanB, "st-b", at(48*time.Hour), true)

			var pages [][]string
			cursor := ""
			for range 10 {
				page, next, err := s.ListSessions(ctx(t), chanA, 3, cursor)
				require.NoError(t, err)
				pages = append(pages, streamIDs(page))
				if next == "" {
					break
				}
				cursor = next
			}
			assert.Equal(t, [][]string{{"st-7", "st-6", "st-5"}, {"st-4", "st-3", "st-2"}, {"st-1"}}, pages)

			page, next, err := s.ListSessions(ctx(t), chanA, 7, "")
			require.NoError(t, err)
			assert.Len(t, page, 7)
			assert.Empty(t, next, "an exactly full last page has no cursor")

			page, next, err = s.ListSessions(ctx(t), chanA, 6, "")
			require.NoError(t, err)
			require.Len(t, page, 6)
			require.NotEmpty(t, next)
			assert.Equal(t, "owner", page[0].OwnerSub, "whole records")
			assert.True(t, page[0].StartTime.Equal(at(24*time.Hour)))
			page, next, err = s.ListSessions(ctx(t), chanA, 6, next)
			require.NoError(t, err)
			assert.Equal(t, []string{"st-1"}, streamIDs(page))
			assert.Empty(t, next)

			page, next, err = s.ListSessions(ctx(t), chanA, 100, "")
			require.NoError(t, err)
			assert.Len(t, page, 7)
			assert.Empty(t, next)
		}},
		{"Session/ListEmptyChannel", func(t *testing.T, s store.Store) {
			putSession(t, s, chanB, "st-b", at(0), false)
			page, next, err := s.ListSessions(ctx(t), chanA, 10, "")
			require.NoError(t, err)
			assert.Empty(t, page)
			assert.Empty(t, next)
		}},
		{"Session/ListRejectsBadInput", func(t *testing.T, s store.Store) {
			for i := range 3 {
				putSession(t, s, chanA, fmt.Sprintf("st-%d", i), at(time.Duration(i)*time.Minute), false)
				putSession(t, s, chanB, fmt.Sprintf("st-%d", i), at(time.Duration(i)*time.Minute), false)
			}
			_, cursorB, err := s.ListSessions(ctx(t), chanB, 1, "")
			require.NoError(t, err)
			require.NotEmpty(t, cursorB)
			forged := base64.RawURLEncoding.EncodeToString([]byte(`{"channelArn":"` + chanA + `","streamId":"st-1","startTime":"yesterday"}`))
			for _, cursor := range []string{"not a cursor!", "e30", "bm9wZQ", cursorB, forged} {
				_, _, err := s.ListSessions(ctx(t), chanA, 10, cursor)
				requireCode(t, err, onair.Invalid)
			}
			_, _, err = s.ListSessions(ctx(t), chanA, 0, "")
			requireCode(t, err, onair.Invalid)
		}},
		{"Session/OpenIndexIsSparse", func(t *testing.T, s store.Store) {
			putSession(t, s, chanA, "st-1", at(0), true)
			putSession(t, s, chanA, "st-2", at(time.Minute), true)
			putSession(t, s, chanA, "st-3", at(2*time.Minute), false)
			putSession(t, s, chanB, "st-b", at(0), true)
			open := func() []string {
				got, err := s.ListOpenSessions(ctx(t), chanA)
				require.NoError(t, err)
				return streamIDs(got)
			}
			assert.Equal(t, []string{"st-1", "st-2"}, open(), "oldest first")
			_, err := s.UpdateSession(ctx(t), chanA, "st-1", func(v *onair.StreamSession) error { v.Open = false; return nil })
			require.NoError(t, err)
			assert.Equal(t, []string{"st-2"}, open(), "closed sessions leave the index")
			_, err = s.UpdateSession(ctx(t), chanA, "st-3", func(v *onair.StreamSession) error { v.Open = true; return nil })
			require.NoError(t, err)
			assert.Equal(t, []string{"st-2", "st-3"}, open())
			got, err := s.ListOpenSessions(ctx(t), "arn:aws:ivs:us-east-1:111122223333:channel/none")
			require.NoError(t, err)
			assert.Empty(t, got)
		}},
		{"Session/DeleteSessions", func(t *testing.T, s store.Store) {
			// 30 sessions: more than one 25-item batch.
			for i := range 30 {
				putSession(t, s, chanA, fmt.Sprintf("st-%02d", i), at(time.Duration(i)*time.Minute), i == 29)
			}
			putSession(t, s, chanA, "st-unstarted", time.Time{}, false)
			putSession(t, s, chanB, "st-b", at(0), true)
			require.NoError(t, s.DeleteSessions(ctx(t), chanA))
			page, next, err := s.ListSessions(ctx(t), chanA, 100, "")
			require.NoError(t, err)
			assert.Empty(t, page)
			assert.Empty(t, next)
			open, err := s.ListOpenSessions(ctx(t), chanA)
			require.NoError(t, err)
			assert.Empty(t, open)
			_, err = s.GetSession(ctx(t), chanA, "st-unstarted")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			_, err = s.GetSession(ctx(t), chanB, "st-b")
			assert.NoError(t, err, "other channels keep theirs")
			assert.NoError(t, s.DeleteSessions(ctx(t), chanA), "nothing left to delete")
		}},
	}
}

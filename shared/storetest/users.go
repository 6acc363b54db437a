package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
)

func userCases() []testCase {
	return []testCase{
		{"User/CreateThenGetKeepsEveryField", func(t *testing.T, s store.Store) {
			u := fullUser("u1", "Alice")
			u.LiveSince = ptr(at(0))
			u.LiveStreamID = "st-1"
			u.Version = 42 // ignored: a new record is version 1
			require.NoError(t, s.CreateUser(ctx(t), u))
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			u.Version = 1
			assert.Equal(t, u, got)
		}},
		{"User/MinimalRecord", func(t *testing.T, s store.Store) {
			u := onair.User{Sub: "u1"}
			require.NoError(t, s.CreateUser(ctx(t), u))
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			u.Version = 1
			assert.Equal(t, u, got)
			_, err = s.GetUserByUsername(ctx(t), "")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"User/CreateDuplicateConflicts", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			err := s.CreateUser(ctx(t), fullUser("u1", "Mallory"))
			assert.ErrorIs(t, err, onair.ErrConflict)
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Equal(t, "Alice", got.Username, "the first record stays")
		}},
		{"User/CreateWithoutSubIsInvalid", func(t *testing.T, s store.Store) {
			requireCode(t, s.CreateUser(ctx(t), onair.User{Username: "x"}), onair.Invalid)
		}},
		{"User/GetMissing", func(t *testing.T, s store.Store) {
			_, err := s.GetUser(ctx(t), "nobody")
			assert.ErrorIs(t, err, onair.ErrNotFound)
		}},
		{"User/GetUsersAcrossBatches", func(t *testing.T, s store.Store) {
			// 130 users cross DynamoDB's 100-key BatchGetItem limit.
			var want, ask []string
			for i := range 130 {
				sub := name("u", i)
				mustCreate(t, s, onair.User{Sub: sub, Username: sub})
				want = append(want, sub)
				ask = append(ask, sub)
			}
			ask = append(ask, "missing-1", "u000", "missing-2", "u129") // missing and repeated
			got, err := s.GetUsers(ctx(t), ask)
			require.NoError(t, err)
			gotSubs := subsOf(got)
			sort.Strings(gotSubs)
			assert.Equal(t, want, gotSubs)
			for _, u := range got {
				assert.Equal(t, u.Sub, u.Username, "whole records are returned")
			}
		}},
		{"User/GetUsersEmpty", func(t *testing.T, s store.Store) {
			got, err := s.GetUsers(ctx(t), nil)
			require.NoError(t, err)
			assert.Empty(t, got)
			got, err = s.GetUsers(ctx(t), []string{"missing"})
			require.NoError(t, err)
			assert.Empty(t, got)
		}},
		{"User/Lookups", func(t *testing.T, s store.Store) {
			alice := fullUser("u1", "Alice")
			bob := fullUser("u2", "Bob")
			mustCreate(t, s, alice, bob)
			lookups := []struct {
				name   string
				lookup func(context.Context, string) (onair.User, error)
				key    string
				want   string // sub, "" for not found
			}{
				{"username exact", s.GetUserByUsername, "Alice", "u1"},
				{"username other case", s.GetUserByUsername, "aLiCe", "u1"},
				{"username missing", s.GetUserByUsername, "carol", ""},
				{"username prefix is no match", s.GetUserByUsername, "Ali", ""},
				{"email other case", s.GetUserByEmail, "ALICE@example.COM", "u1"},
				{"email exact", s.GetUserByEmail, "Bob@Example.com", "u2"},
				{"email missing", s.GetUserByEmail, "carol@example.com", ""},
				{"channel arn", s.GetUserByChannelArn, bob.ChannelArn, "u2"},
				{"channel arn missing", s.GetUserByChannelArn, "arn:aws:ivs:us-east-1:111122223333:channel/none", ""},
				{"channel arn empty", s.GetUserByChannelArn, "", ""},
				{"asset id", s.GetUserByAssetID, "asset-u1", "u1"},
				{"asset id missing", s.GetUserByAssetID, "asset-none", ""},
				{"asset id empty", s.GetUserByAssetID, "", ""},
				{"chat room arn", s.GetUserByChatRoomArn, alice.ChatRoomArn, "u1"},
				{"chat room arn missing", s.GetUserByChatRoomArn, "arn:aws:ivschat:us-east-1:111122223333:room/none", ""},
				{"chat room arn empty", s.GetUserByChatRoomArn, "", ""},
			}
			for _, l := range lookups {
				t.Run(l.name, func(t *testing.T) {
					got, err := l.lookup(ctx(t), l.key)
					if l.want == "" {
						assert.ErrorIs(t, err, onair.ErrNotFound)
						return
					}
					require.NoError(t, err)
					assert.Equal(t, l.want, got.Sub)
					assert.Equal(t, int64(1), got.Version, "the whole record is returned")
				})
			}
		}},
		{"User/LookupsFollowUpdates", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			_, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error {
				u.Username = "Alicia"
				u.Email = "alicia@example.com"
				u.ChannelArn = ""
				u.ChannelAssetID = "asset-new"
				u.ChatRoomArn = ""
				return nil
			})
			require.NoError(t, err)
			_, err = s.GetUserByChatRoomArn(ctx(t), fullUser("u1", "Alice").ChatRoomArn)
			assert.ErrorIs(t, err, onair.ErrNotFound, "cleared chat room ARN")
			_, err = s.GetUserByUsername(ctx(t), "alice")
			assert.ErrorIs(t, err, onair.ErrNotFound, "old username released")
			got, err := s.GetUserByUsername(ctx(t), "ALICIA")
			require.NoError(t, err)
			assert.Equal(t, "Alicia", got.Username)
			_, err = s.GetUserByEmail(ctx(t), "alice@example.com")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			_, err = s.GetUserByEmail(ctx(t), "Alicia@Example.com")
			assert.NoError(t, err)
			_, err = s.GetUserByChannelArn(ctx(t), fullUser("u1", "Alice").ChannelArn)
			assert.ErrorIs(t, err, onair.ErrNotFound, "cleared channel ARN")
			_, err = s.GetUserByAssetID(ctx(t), "asset-u1")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			_, err = s.GetUserByAssetID(ctx(t), "asset-new")
			assert.NoError(t, err)
		}},
		{"User/UpdateAppliesAndBumpsVersion", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			calls := 0
			got, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error {
				calls++
				assert.Equal(t, int64(1), u.Version, "fn sees the stored record")
				u.Color = "red"
				u.ChannelAssets["banner"] = onair.Asset{URL: "https://cdn.example/banner"}
				u.Provisioning = nil
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, 1, calls)
			assert.Equal(t, int64(2), got.Version)
			assert.Equal(t, "red", got.Color)
			stored, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Equal(t, got, stored, "returns what was stored")
			assert.Nil(t, stored.Provisioning, "cleared fields stay cleared")
			assert.Len(t, stored.ChannelAssets, 2)
		}},
		{"User/UpdateMissing", func(t *testing.T, s store.Store) {
			called := false
			_, err := s.UpdateUser(ctx(t), "nobody", func(*onair.User) error { called = true; return nil })
			assert.ErrorIs(t, err, onair.ErrNotFound)
			assert.False(t, called, "fn is not called for a missing user")
			_, err = s.GetUser(ctx(t), "nobody")
			assert.ErrorIs(t, err, onair.ErrNotFound, "no record is created")
		}},
		{"User/UpdateFnErrorWritesNothing", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			_, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error {
				u.Color = "red"
				u.ChannelAssets["avatar"] = onair.Asset{}
				return errBoom
			})
			assert.Same(t, errBoom, err, "fn's error is returned as is")
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			want := fullUser("u1", "Alice")
			want.Version = 1
			assert.Equal(t, want, got)
		}},
		{"User/UpdateUnchangedSkipsWrite", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			want := fullUser("u1", "Alice")
			want.Version = 1
			got, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error {
				u.Color = "red" // changes made before ErrUnchanged are dropped
				u.ChannelAssets["avatar"] = onair.Asset{}
				return onair.ErrUnchanged
			})
			require.NoError(t, err)
			assert.Equal(t, want, got, "returns the current record")
			stored, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Equal(t, want, stored)
		}},
		{"User/UpdateWrappedUnchanged", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			got, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error {
				return fmt.Errorf("redelivered: %w", onair.ErrUnchanged)
			})
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version)
		}},
		{"User/UpdateCannotChangeSub", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			_, err := s.UpdateUser(ctx(t), "u1", func(u *onair.User) error { u.Sub = "u2"; return nil })
			require.Error(t, err)
			_, err = s.GetUser(ctx(t), "u2")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version)
		}},
		{"User/Delete", func(t *testing.T, s store.Store) {
			u := fullUser("u1", "Alice")
			u.LiveSince = ptr(at(0))
			mustCreate(t, s, u, fullUser("u2", "Bob"))
			require.NoError(t, s.DeleteUser(ctx(t), "u1"))
			_, err := s.GetUser(ctx(t), "u1")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			_, err = s.GetUserByUsername(ctx(t), "alice")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			_, err = s.GetUserByChannelArn(ctx(t), u.ChannelArn)
			assert.ErrorIs(t, err, onair.ErrNotFound)
			live, err := s.ListLiveUsers(ctx(t), 10)
			require.NoError(t, err)
			assert.Empty(t, live)
			_, err = s.GetUser(ctx(t), "u2")
			assert.NoError(t, err, "other users stay")
			assert.NoError(t, s.DeleteUser(ctx(t), "u1"), "deleting a missing user is fine")
		}},
		{"User/LiveIndexIsSparse", func(t *testing.T, s store.Store) {
			for i := range 5 {
				mustCreate(t, s, onair.User{Sub: name("u", i), Username: name("user", i)})
			}
			live := func(limit int) []string {
				users, err := s.ListLiveUsers(ctx(t), limit)
				require.NoError(t, err)
				return subsOf(users)
			}
			assert.Empty(t, live(10), "nobody is live")
			goLive := func(sub string, since time.Time) {
				_, err := s.UpdateUser(ctx(t), sub, func(u *onair.User) error {
					u.LiveSince = ptr(since)
					u.LiveStreamID = "st-" + sub
					return nil
				})
				require.NoError(t, err)
			}
			// Times differ only below the second and in fraction width, so
			// only a fixed-width sort key orders them right.
			goLive("u001", at(500*time.Millisecond))
			goLive("u003", at(0).Truncate(time.Second).Add(time.Second))
			goLive("u000", at(0).Truncate(time.Second))
			goLive("u004", at(2*time.Second))
			assert.Equal(t, []string{"u004", "u003", "u001", "u000"}, live(10), "newest first")
			assert.Equal(t, []string{"u004", "u003"}, live(2), "limit")
			users, err := s.ListLiveUsers(ctx(t), 1)
			require.NoError(t, err)
			require.Len(t, users, 1)
			assert.Equal(t, "st-u004", users[0].LiveStreamID, "whole records")
			assert.True(t, users[0].LiveSince.Equal(at(2*time.Second)))

			_, err = s.UpdateUser(ctx(t), "u003", func(u *onair.User) error { u.LiveSince = nil; return nil })
			require.NoError(t, err)
			assert.Equal(t, []string{"u004", "u001", "u000"}, live(10), "cleared LiveSince leaves the index")
			goLive("u000", at(time.Hour))
			assert.Equal(t, []string{"u000", "u004", "u001"}, live(10), "moved to its new time")
			_, err = s.UpdateUser(ctx(t), "u004", func(u *onair.User) error { u.Color = "red"; return nil })
			require.NoError(t, err)
			assert.Equal(t, []string{"u000", "u004", "u001"}, live(10), "other updates keep the entry")
		}},
		{"User/ListLiveUsersRejectsBadLimit", func(t *testing.T, s store.Store) {
			_, err := s.ListLiveUsers(ctx(t), 0)
			requireCode(t, err, onair.Invalid)
		}},
		{"User/RecordTooLarge", func(t *testing.T, s store.Store) {
			// DynamoDB refuses items over 400 KB; the embedded store
			// mirrors the limit, so what works offline works deployed.
			huge := strings.Repeat("x", 400<<10)
			requireCode(t, s.CreateUser(ctx(t), onair.User{Sub: "u1", Avatar: huge}), onair.TooLarge)
			_, err := s.GetUser(ctx(t), "u1")
			assert.ErrorIs(t, err, onair.ErrNotFound)
			mustCreate(t, s, onair.User{Sub: "u2"})
			_, err = s.UpdateUser(ctx(t), "u2", func(u *onair.User) error { u.Avatar = huge; return nil })
			requireCode(t, err, onair.TooLarge)
			got, err := s.GetUser(ctx(t), "u2")
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version)
		}},
		{"User/CanceledContext", func(t *testing.T, s store.Store) {
			mustCreate(t, s, fullUser("u1", "Alice"))
			c, cancel := contextCanceled(t)
			cancel()
			_, err := s.GetUser(c, "u1")
			assert.Error(t, err)
			_, err = s.UpdateUser(c, "u1", func(u *onair.User) error { u.Color = "red"; return nil })
			assert.Error(t, err)
			got, err := s.GetUser(ctx(t), "u1")
			require.NoError(t, err)
			assert.Equal(t, "blue", got.Color)
		}},
	}
}

package storetest_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/store"
	"github.com/onair/onair/shared/storetest"
)

// TestFaultsCoverEveryOperation calls every store.Store method through a
// Faults over no store at all: each must come back with the injected error,
// so none is merely promoted from the embedded store (which would bypass
// the faults and, here, panic).
func TestFaultsCoverEveryOperation(t *testing.T) {
	f := storetest.WithFaults(nil)
	boom := errors.New("boom")
	typ := reflect.TypeOf((*store.Store)(nil)).Elem()
	v := reflect.ValueOf(f)
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		t.Run(m.Name, func(t *testing.T) {
			f.Fail(m.Name, boom)
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			for j := 1; j < m.Type.NumIn(); j++ {
				args = append(args, reflect.Zero(m.Type.In(j)))
			}
			out := v.MethodByName(m.Name).Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			assert.ErrorIs(t, err, boom)
			assert.Equal(t, 1, f.Calls(m.Name))
		})
	}
}

func TestFaults(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("boom")
	f := storetest.WithFaults(bolttest.New(t, onair.User{Sub: "u1", Username: "alice"}))

	f.Fail("GetUser", nil, boom)
	_, err := f.GetUser(ctx, "u1")
	require.NoError(t, err, "a nil entry lets the call through")
	_, err = f.GetUser(ctx, "u1")
	require.ErrorIs(t, err, boom, "the second call fails")
	u, err := f.GetUser(ctx, "u1")
	require.NoError(t, err, "then the store answers again")
	assert.Equal(t, "alice", u.Username)
	assert.Equal(t, 3, f.Calls("GetUser"))

	f.FailAll("GetUser", boom)
	f.Fail("GetUser", nil)
	_, err = f.GetUser(ctx, "u1")
	require.NoError(t, err, "a queued pass comes first")
	for range 2 {
		_, err = f.GetUser(ctx, "u1")
		require.ErrorIs(t, err, boom)
	}
	f.FailAll("GetUser", nil)
	_, err = f.GetUser(ctx, "u1")
	require.NoError(t, err)

	var seen []string
	f.Before(func(ctx context.Context, op string, args []any) error {
		if op == "UpdateUser" {
			seen = append(seen, args[0].(string))
			// A write landing just before the update, through the store itself.
			_, err := f.Store.UpdateUser(ctx, "u1", func(u *onair.User) error { u.Color = "red"; return nil })
			return err
		}
		return nil
	})
	u, err = f.UpdateUser(ctx, "u1", func(u *onair.User) error { u.Avatar = "bird"; return nil })
	require.NoError(t, err)
	assert.Equal(t, []string{"u1"}, seen)
	assert.Equal(t, "red", u.Color, "the update saw the write that landed first")
	assert.Equal(t, int64(3), u.Version)

	assert.Panics(t, func() { f.Fail("UpdateUsers", boom) }, "a misspelt operation")
}

package onair

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorHelpers(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		code    Code
		typ     string
		message string
	}{
		{"plain error hides details", errors.New("dynamo: boom"), Internal, "UnexpectedException", "An unexpected error occurred."},
		{"typed", Errorf(NotFound, "UserNotFoundException", "No user %q.", "bob"), NotFound, "UserNotFoundException", `No user "bob".`},
		{"default type", &Error{Code: Forbidden}, Forbidden, "ForbiddenException", "An unexpected error occurred."},
		{"wrapped keeps code", fmt.Errorf("ctx: %w", Errorf(Conflict, "", "Busy.")), Conflict, "ConflictException", "Busy."},
		{"cause not shown", Wrap(Internal, "ResetStreamKeyException", "Could not reset the stream key.", errors.New("secret detail")), Internal, "ResetStreamKeyException", "Could not reset the stream key."},
		{"sentinel not found", fmt.Errorf("get: %w", ErrNotFound), NotFound, "ResourceNotFoundException", "Not found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, ErrorCode(tc.err))
			assert.Equal(t, tc.typ, ErrorType(tc.err))
			assert.Equal(t, tc.message, ErrorMessage(tc.err))
		})
	}
}

func TestSentinelsMatchByCode(t *testing.T) {
	assert.ErrorIs(t, Errorf(NotFound, "UserNotFoundException", "x"), ErrNotFound)
	assert.ErrorIs(t, fmt.Errorf("w: %w", &Error{Code: Conflict, Err: errors.New("ccf")}), ErrConflict)
	assert.NotErrorIs(t, Errorf(Invalid, "", "x"), ErrNotFound)
}

func TestResourceID(t *testing.T) {
	assert.Equal(t, "AbCdEf123456", ResourceID("arn:aws:ivs:us-east-1:111122223333:channel/AbCdEf123456"))
	assert.Equal(t, "", ResourceID("nope"))
}

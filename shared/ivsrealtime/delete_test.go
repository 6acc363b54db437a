package ivsrealtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

func TestDeleteStage(t *testing.T) {
	const arn = "arn:aws:ivs:us-east-1:111122223333:stage/AbCdEf123456"
	cases := []struct {
		name    string
		status  int
		errType string
		body    string
		code    onair.Code // "" = no error
	}{
		{"deleted", 200, "", `{}`, ""},
		{"already gone", 404, "ResourceNotFoundException", `{"exceptionMessage":"no"}`, ""},
		{"throttled", 429, "ThrottlingException", `{"exceptionMessage":"slow"}`, onair.Throttled},
		{"in use", 409, "ConflictException", `{"exceptionMessage":"busy"}`, onair.Conflict},
		{"denied", 403, "AccessDeniedException", `{"exceptionMessage":"no"}`, onair.Internal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &awstest.Fake{Replies: map[string][]awstest.Reply{
				"DeleteStage": {{Status: tc.status, ErrType: tc.errType, Body: tc.body}},
			}}
			c := newTestClient(t, api)
			err := c.DeleteStage(context.Background(), arn)
			if tc.code == "" {
				require.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
			}
			assert.Equal(t, []string{"DeleteStage"}, api.Ops())
			assert.Equal(t, map[string]any{"arn": arn}, api.Body(0))
		})
	}
}

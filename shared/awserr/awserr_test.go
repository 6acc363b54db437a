package awserr

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ivstypes "github.com/aws/aws-sdk-go-v2/service/ivs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/onair/onair/shared/onair"
)

func TestMap(t *testing.T) {
	cases := []struct {
		code string
		want onair.Code
		typ  string
	}{
		{"ResourceNotFoundException", onair.NotFound, "ResourceNotFoundException"},
		{"ChannelNotBroadcasting", onair.Conflict, "ChannelNotBroadcastingException"},
		{"ValidationException", onair.Invalid, "ValidationException"},
		{"ThrottlingException", onair.Throttled, "TooManyRequestsException"},
		{"Throttling", onair.Throttled, "TooManyRequestsException"}, // CloudWatch's code
		{"ConditionalCheckFailedException", onair.Conflict, "ConflictException"},
		{"AliasExistsException", onair.Conflict, "AliasExistsException"},
		{"AccessDeniedException", onair.Internal, "UnexpectedException"},
		{"SomethingNew", onair.Internal, "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			err := Map("ivs:GetChannel", &smithy.GenericAPIError{Code: tc.code, Message: "m"})
			assert.Equal(t, tc.want, onair.ErrorCode(err))
			assert.Equal(t, tc.typ, onair.ErrorType(err))
			assert.Equal(t, tc.code, Code(err))
		})
	}
	assert.NoError(t, Map("x", nil))
	ivsErr := &ivstypes.ValidationException{ExceptionMessage: aws.String("name is too long")}
	assert.Equal(t, "name is too long", onair.ErrorMessage(Map("ivs:CreateChannel", ivsErr)))
	assert.Equal(t, onair.Internal, onair.ErrorCode(Map("x", errors.New("dial tcp: refused"))))
}

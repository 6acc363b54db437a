// Package awserr turns AWS API errors into onair errors, so adapters report
// "not found", "throttled" or "invalid" the same way whatever service failed,
// and the cause stays in the log.
package awserr

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/smithy-go"

	"github.com/onair/onair/shared/onair"
)

// Code returns the AWS error code of err ("" if err is not an AWS API error).
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Map wraps err from the AWS operation op as an onair error. Client-side
// classes keep the AWS message (it is about the caller's input); everything
// else becomes Internal with a generic message.
func Map(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return onair.Wrap(onair.Internal, "", "", fmt.Errorf("%s: %w", op, err))
	}
	cause := fmt.Errorf("%s: %w", op, err)
	switch ae.ErrorCode() {
	case "ResourceNotFoundException", "NotFoundException", "UserNotFoundException", "NoSuchKey":
		return onair.Wrap(onair.NotFound, "ResourceNotFoundException", "Not found.", cause)
	case "ChannelNotBroadcasting":
		return onair.Wrap(onair.Conflict, "ChannelNotBroadcastingException", "The channel is not live.", cause)
	case "ValidationException", "InvalidParameterException", "InvalidPasswordException":
		return onair.Wrap(onair.Invalid, "ValidationException", message(ae), cause)
	case "ConflictException", "ConditionalCheckFailedException", "TransactionCanceledException":
		return onair.Wrap(onair.Conflict, "ConflictException", "The resource changed; try again.", cause)
	case "AliasExistsException", "UsernameExistsException":
		return onair.Wrap(onair.Conflict, ae.ErrorCode(), "This username has been taken.", cause)
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException",
		"ProvisionedThroughputExceededException", "RequestLimitExceeded":
		return onair.Wrap(onair.Throttled, "TooManyRequestsException", "Too many requests; try again shortly.", cause)
	case "ServiceQuotaExceededException":
		return onair.Wrap(onair.Throttled, "ServiceQuotaExceededException", "A service quota was reached.", cause)
	case "AccessDeniedException", "NotAuthorizedException":
		// Our own credentials were refused: a deployment problem, not the caller's.
		return onair.Wrap(onair.Internal, "", "", cause)
	case "StreamUnavailable", "ServiceUnavailable", "ServiceUnavailableException":
		return onair.Wrap(onair.Unavailable, "ServiceUnavailableException", "The service is unavailable; try again shortly.", cause)
	}
	return onair.Wrap(onair.Internal, "", "", cause)
}

// message returns the error's text. IVS and IVS Real-Time put it in an
// "exceptionMessage" member, which the SDK's typed errors expose as an
// ExceptionMessage field while ErrorMessage() stays empty.
func message(ae smithy.APIError) string {
	if m := ae.ErrorMessage(); m != "" {
		return m
	}
	v := reflect.ValueOf(ae)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName("ExceptionMessage")
	if f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
		return f.Elem().String()
	}
	return ""
}

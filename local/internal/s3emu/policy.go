package s3emu

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onair/onair/shared/s3"
)

// postForm is a POST upload's fields (names lower-cased, as S3 matches them
// without regard to case) and its file.
type postForm struct {
	fields map[string]string
	size   int64
}

// checkPost verifies a POST upload as S3 does ("Authenticating Requests:
// Browser-Based Uploads Using POST", S3 API reference): the signature of the
// policy with the credential's signing key, the policy's expiry, every
// condition, and that every form field is covered by a condition.
func (s *Service) checkPost(bucket string, f postForm) *apiError {
	policyB64 := f.fields["policy"]
	if policyB64 == "" {
		return errAccessDenied("Bucket POST must contain a field named 'policy'. If it is specified, please check the order of the fields.")
	}
	if alg := f.fields["x-amz-algorithm"]; alg != s3.Algorithm {
		return errInvalidArgument("x-amz-algorithm must be %s.", s3.Algorithm)
	}
	// <access key>/<yyyymmdd>/<region>/s3/aws4_request
	parts := strings.Split(f.fields["x-amz-credential"], "/")
	if len(parts) != 5 || parts[3] != "s3" || parts[4] != "aws4_request" {
		return errInvalidArgument("x-amz-credential is not <access-key>/<date>/<region>/s3/aws4_request.")
	}
	accessKey, date, region := parts[0], parts[1], parts[2]
	secret, ok := s.cfg.Credentials[accessKey]
	if !ok {
		return newAPIError(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	if s.cfg.Region != "" && region != s.cfg.Region {
		return newAPIError(http.StatusBadRequest, "AuthorizationQueryParametersError",
			"Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", region, s.cfg.Region)
	}
	if amzDate := f.fields["x-amz-date"]; !strings.HasPrefix(amzDate, date) {
		return errInvalidArgument("x-amz-date must be on the credential's date.")
	}
	want := s3.SignPolicy(policyB64, secret, date, region)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(f.fields["x-amz-signature"]))) {
		return newAPIError(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}

	raw, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		return errInvalidPolicy("Invalid Policy: Invalid 'base64' encoding.")
	}
	var doc struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return errInvalidPolicy("Invalid Policy: Invalid JSON.")
	}
	expires, err := time.Parse(time.RFC3339Nano, doc.Expiration)
	if err != nil {
		return errInvalidPolicy("Invalid Policy: Invalid 'expiration' value: '%s'", doc.Expiration)
	}
	if !s.cfg.Now().Before(expires) {
		return errAccessDenied("Invalid according to Policy: Policy expired.")
	}

	// What the form says, plus the bucket of the URL.
	values := map[string]string{}
	for k, v := range f.fields {
		values[k] = v
	}
	if b, ok := values["bucket"]; ok && b != bucket {
		return errInvalidArgument("The bucket field does not match the bucket of the URL.")
	}
	values["bucket"] = bucket

	covered := map[string]bool{}
	for _, c := range doc.Conditions {
		field, err := checkCondition(c, values, f.size)
		if err != nil {
			return err
		}
		covered[field] = true
	}
	for name := range f.fields {
		switch {
		case name == "policy", name == "x-amz-signature", name == "file", strings.HasPrefix(name, "x-ignore-"):
		case !covered[name]:
			return errAccessDenied("Invalid according to Policy: Extra input fields: %s", name)
		}
	}
	return nil
}

// checkCondition checks one policy condition against the form and returns
// the (lower-cased) field it covers.
func checkCondition(raw json.RawMessage, values map[string]string, size int64) (string, *apiError) {
	var exact map[string]string
	if json.Unmarshal(raw, &exact) == nil {
		if len(exact) != 1 {
			return "", errInvalidPolicy("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for name, want := range exact {
			name = strings.ToLower(name)
			if values[name] != want {
				return "", errAccessDenied("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$%s\", \"%s\"]", name, want)
			}
			return name, nil
		}
	}
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return "", errInvalidPolicy("Invalid Policy: Invalid condition %s", raw)
	}
	op, _ := list[0].(string)
	switch strings.ToLower(op) {
	case "content-length-range":
		lo, ok1 := number(list[1])
		hi, ok2 := number(list[2])
		if !ok1 || !ok2 {
			return "", errInvalidPolicy("Invalid Policy: Invalid content-length-range.")
		}
		if size < lo {
			return "", newAPIError(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
		}
		if size > hi {
			return "", newAPIError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
		}
		return "content-length-range", nil
	case "eq", "starts-with":
		ref, _ := list[1].(string)
		want, ok := list[2].(string)
		if !strings.HasPrefix(ref, "$") || !ok {
			return "", errInvalidPolicy("Invalid Policy: Invalid %s condition.", op)
		}
		name := strings.ToLower(ref[1:])
		got := values[name]
		if op == "eq" && got != want || op == "starts-with" && !strings.HasPrefix(got, want) {
			return "", errAccessDenied("Invalid according to Policy: Policy Condition failed: [\"%s\", \"%s\", \"%s\"]", op, ref, want)
		}
		return name, nil
	}
	return "", errInvalidPolicy("Invalid Policy: Invalid condition operator %q.", op)
}

func number(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), n == float64(int64(n))
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// apiError is an S3 error, rendered as S3's XML error document.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errAccessDenied(format string, args ...any) *apiError {
	return newAPIError(http.StatusForbidden, "AccessDenied", format, args...)
}

func errInvalidArgument(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "InvalidArgument", format, args...)
}

func errInvalidPolicy(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "InvalidPolicyDocument", format, args...)
}

func errContentSHA256Mismatch() *apiError {
	return newAPIError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
}

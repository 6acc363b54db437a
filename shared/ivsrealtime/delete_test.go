package ivsrealtime

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			var gotPath string
			var gotBody map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotPath = r.URL.Path
				raw, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(raw, &gotBody)
				w.Header().Set("Content-Type", "application/json")
				if tc.errType != "" {
					w.Header().Set("X-Amzn-ErrorType", tc.errType)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			c := New(aws.Config{
				Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: aws.AnonymousCredentials{},
				Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
			})
			err := c.DeleteStage(context.Background(), arn)
			if tc.code == "" {
				require.NoError(t, err)
			} else {
				assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
			}
			assert.Equal(t, "/DeleteStage", gotPath)
			assert.Equal(t, map[string]any{"arn": arn}, gotBody)
		})
	}
}

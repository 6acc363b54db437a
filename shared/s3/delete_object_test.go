package s3

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestDeleteObject(t *testing.T) {
	var got []string
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		if status != http.StatusNoContent {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`<Error><Code>AccessDenied</Code><Message>denied</Message></Error>`))
			return
		}
		w.Header().Set("x-amz-delete-marker", "true")
		w.Header().Set("x-amz-version-id", "dm-1")
		w.WriteHeader(status)
	}))
	defer srv.Close()
	c := New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}, "assets")

	require.NoError(t, c.DeleteObject(context.Background(), "asset-1/avatar"))
	assert.Equal(t, []string{"DELETE /assets/asset-1/avatar"}, got)

	status = http.StatusForbidden
	err := c.DeleteObject(context.Background(), "asset-1/avatar")
	require.Error(t, err)
	assert.Equal(t, onair.Internal, onair.ErrorCode(err), "our own credentials refused: a deployment problem")
}

package secrets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestGetCachesAndMapsErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
			w.WriteHeader(400)
			return
		}
		var body [256]byte
		n, _ := r.Body.Read(body[:])
		if string(body[:n]) == `{"SecretId":"missing"}` {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","Message":"nope"}`))
			return
		}
		_, _ = w.Write([]byte(`{"ARN":"arn:x","Name":"k","SecretString":"s3cret"}`))
	}))
	defer srv.Close()
	c := New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})

	v, err := c.Get(context.Background(), "k")
	require.NoError(t, err)
	assert.Equal(t, "s3cret", v)
	v, err = c.Get(context.Background(), "k")
	require.NoError(t, err)
	assert.Equal(t, "s3cret", v)
	assert.Equal(t, int32(1), calls.Load(), "second read is served from the cache")

	_, err = c.Get(context.Background(), "missing")
	assert.Equal(t, onair.NotFound, onair.ErrorCode(err))
}

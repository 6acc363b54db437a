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

func TestRefreshBypassesAndUpdatesTheCache(t *testing.T) {
	var value atomic.Value
	value.Store(`{}`)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if v := value.Load().(string); v != "" {
			_, _ = w.Write([]byte(`{"ARN":"arn:x","Name":"k","SecretString":` + quote(v) + `}`))
			return
		}
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","Message":"gone"}`))
	}))
	defer srv.Close()
	c := New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	ctx := context.Background()

	v, err := c.Get(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, `{}`, v)

	value.Store(`{"partnerTag":"x-20"}`) // the operator fills the secret in
	v, _ = c.Get(ctx, "k")
	assert.Equal(t, `{}`, v, "Get keeps the cached value")
	v, err = c.Refresh(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, `{"partnerTag":"x-20"}`, v)
	v, _ = c.Get(ctx, "k")
	assert.Equal(t, `{"partnerTag":"x-20"}`, v, "and the cache has the new value")
	assert.Equal(t, int32(2), calls.Load())

	value.Store("")
	_, err = c.Refresh(ctx, "k")
	assert.Equal(t, onair.NotFound, onair.ErrorCode(err))
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		if r == '"' || r == '\\' {
			b = append(b, '\\')
		}
		b = append(b, string(r)...)
	}
	return string(append(b, '"'))
}

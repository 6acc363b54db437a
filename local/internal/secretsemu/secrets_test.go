package secretsemu

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func client(url string) *sm.Client {
	return sm.New(sm.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func TestSecretsWithSDK(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.db")
	s, err := Open(path, "us-east-1", "000000000000", nil)
	require.NoError(t, err)
	arn, err := s.Ensure("onair-pagination", "", Generate{Length: 32, ExcludePunctuation: true})
	require.NoError(t, err)
	again, err := s.Ensure("onair-pagination", "", Generate{Length: 32})
	require.NoError(t, err)
	assert.Equal(t, arn, again, "Ensure keeps an existing secret")

	srv := httptest.NewServer(s)
	defer srv.Close()
	c := client(srv.URL)
	ctx := context.Background()

	out, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	assert.Len(t, aws.ToString(out.SecretString), 32)
	first := aws.ToString(out.SecretString)

	byName, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("onair-pagination")})
	require.NoError(t, err)
	assert.Equal(t, first, aws.ToString(byName.SecretString))

	_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("rotated")})
	require.NoError(t, err)
	out, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "rotated", aws.ToString(out.SecretString))

	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)

	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("x"), SecretString: aws.String("v")})
	require.NoError(t, err)
	_, err = c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("x"), SecretString: aws.String("v")})
	var exists *types.ResourceExistsException
	assert.ErrorAs(t, err, &exists)

	// Survives a restart.
	require.NoError(t, s.Close())
	s2, err := Open(path, "us-east-1", "000000000000", nil)
	require.NoError(t, err)
	defer s2.Close()
	sec, err := s2.get(arn)
	require.NoError(t, err)
	assert.Equal(t, "rotated", sec.SecretString)
}

func TestGenerateTemplate(t *testing.T) {
	v, err := generate(Generate{Length: 10, Template: `{"user":"x"}`, Key: "password"})
	require.NoError(t, err)
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(v), &m))
	assert.Equal(t, "x", m["user"])
	assert.Len(t, m["password"], 10)
}

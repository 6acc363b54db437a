// Package secrets is the conformance suite of AWS Secrets Manager: the
// behaviours of the operations the offline emulator (local/internal/secretsemu)
// serves, checked against the emulator in `make test` and against AWS with
// -tags awsconformance.
package secrets

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// arnPattern is a secret's ARN: the name and a hyphen with six random
// characters, which AWS appends so that a re-created secret has a new ARN.
var arnPattern = regexp.MustCompile(`^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$`)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Run runs every case against target. Each case creates its own secrets
// (named target.Prefix-…) and deletes them without recovery at the end.
func Run(t *testing.T, target conformance.Target) {
	c := sm.NewFromConfig(target.Config)
	cases := []struct {
		name string
		run  func(t *testing.T, c *sm.Client, name string)
	}{
		{"CreateAndRead", createAndRead},
		{"CreateTwice", createTwice},
		{"PutSecretValue", putSecretValue},
		{"Missing", missing},
		{"Delete", deleteSecret},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := target.Unique("secret")
			t.Cleanup(func() {
				// A case may have deleted it already: errors are expected.
				_, _ = c.DeleteSecret(t.Context(), &sm.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)})
			})
			tc.run(t, c, name)
		})
	}
}

func create(t *testing.T, c *sm.Client, name, value string) *sm.CreateSecretOutput {
	t.Helper()
	out, err := c.CreateSecret(t.Context(), &sm.CreateSecretInput{Name: aws.String(name), Description: aws.String("onair conformance"), SecretString: aws.String(value)})
	require.NoError(t, err)
	return out
}

func createAndRead(t *testing.T, c *sm.Client, name string) {
	token := "00000000-0000-4000-8000-" + conformance.RandomString(12)
	created, err := c.CreateSecret(t.Context(), &sm.CreateSecretInput{Name: aws.String(name), Description: aws.String("onair conformance"),
		SecretString: aws.String(`{"key":"v1"}`), ClientRequestToken: aws.String(token)})
	require.NoError(t, err)
	arn := aws.ToString(created.ARN)
	m := arnPattern.FindStringSubmatch(arn)
	require.NotNil(t, m, "ARN %q", arn)
	assert.Equal(t, name, m[1])
	assert.Equal(t, name, aws.ToString(created.Name))
	assert.Equal(t, token, aws.ToString(created.VersionId), "the ClientRequestToken is the first version's id")

	// By name, full ARN and partial ARN (without the random suffix).
	for _, id := range []string{name, arn, arn[:len(arn)-7]} {
		got, err := c.GetSecretValue(t.Context(), &sm.GetSecretValueInput{SecretId: aws.String(id)})
		require.NoError(t, err, id)
		assert.Equal(t, `{"key":"v1"}`, aws.ToString(got.SecretString), id)
		assert.Equal(t, arn, aws.ToString(got.ARN), id)
		assert.Equal(t, name, aws.ToString(got.Name), id)
		assert.Equal(t, token, aws.ToString(got.VersionId), id)
		assert.Contains(t, got.VersionStages, "AWSCURRENT", id)
		require.NotNil(t, got.CreatedDate, id)
		assert.WithinDuration(t, time.Now(), *got.CreatedDate, 10*time.Minute, id)
	}

	desc, err := c.DescribeSecret(t.Context(), &sm.DescribeSecretInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(desc.ARN))
	assert.Equal(t, name, aws.ToString(desc.Name))
	assert.Equal(t, "onair conformance", aws.ToString(desc.Description))
	assert.Nil(t, desc.DeletedDate)
}

func createTwice(t *testing.T, c *sm.Client, name string) {
	create(t, c, name, "v")
	_, err := c.CreateSecret(t.Context(), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v")})
	conformance.RequireCode(t, err, "ResourceExistsException")
}

func putSecretValue(t *testing.T, c *sm.Client, name string) {
	created := create(t, c, name, "v1")
	put, err := c.PutSecretValue(t.Context(), &sm.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("v2")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(created.ARN), aws.ToString(put.ARN))
	assert.Equal(t, name, aws.ToString(put.Name))
	assert.Regexp(t, uuidPattern, aws.ToString(put.VersionId), "the SDK's generated token is the version id")
	assert.NotEqual(t, aws.ToString(created.VersionId), aws.ToString(put.VersionId))
	assert.Contains(t, put.VersionStages, "AWSCURRENT")

	got, err := c.GetSecretValue(t.Context(), &sm.GetSecretValueInput{SecretId: created.ARN})
	require.NoError(t, err)
	assert.Equal(t, "v2", aws.ToString(got.SecretString))
	assert.Equal(t, aws.ToString(put.VersionId), aws.ToString(got.VersionId))

	// The same token again with the same value is idempotent; with another
	// value it is refused.
	again, err := c.PutSecretValue(t.Context(), &sm.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("v2"), ClientRequestToken: put.VersionId})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(put.VersionId), aws.ToString(again.VersionId))
	_, err = c.PutSecretValue(t.Context(), &sm.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("v3"), ClientRequestToken: put.VersionId})
	conformance.RequireCode(t, err, "ResourceExistsException")
}

func missing(t *testing.T, c *sm.Client, name string) {
	_, err := c.GetSecretValue(t.Context(), &sm.GetSecretValueInput{SecretId: aws.String(name)})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = c.PutSecretValue(t.Context(), &sm.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("x")})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = c.DescribeSecret(t.Context(), &sm.DescribeSecretInput{SecretId: aws.String(name)})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
	_, err = c.DeleteSecret(t.Context(), &sm.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

func deleteSecret(t *testing.T, c *sm.Client, name string) {
	created := create(t, c, name, "v")

	_, err := c.DeleteSecret(t.Context(), &sm.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	conformance.RequireCode(t, err, "InvalidParameterException")
	_, err = c.DeleteSecret(t.Context(), &sm.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(3)})
	conformance.RequireCode(t, err, "InvalidParameterException")

	// With a recovery window the secret stays, marked for deletion.
	del, err := c.DeleteSecret(t.Context(), &sm.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(created.ARN), aws.ToString(del.ARN))
	require.NotNil(t, del.DeletionDate)
	assert.WithinDuration(t, time.Now().AddDate(0, 0, 7), *del.DeletionDate, 24*time.Hour)
	_, err = c.GetSecretValue(t.Context(), &sm.GetSecretValueInput{SecretId: aws.String(name)})
	conformance.RequireCode(t, err, "InvalidRequestException")
	desc, err := c.DescribeSecret(t.Context(), &sm.DescribeSecretInput{SecretId: aws.String(name)})
	require.NoError(t, err)
	assert.NotNil(t, desc.DeletedDate)
	_, err = c.CreateSecret(t.Context(), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v")})
	conformance.RequireCode(t, err, "InvalidRequestException")

	// Without recovery it goes (AWS deletes asynchronously: allow a moment).
	_, err = c.DeleteSecret(t.Context(), &sm.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)})
	require.NoError(t, err)
	assert.Eventually(t, func() bool {
		_, err := c.DescribeSecret(t.Context(), &sm.DescribeSecretInput{SecretId: aws.String(name)})
		return err != nil
	}, 20*time.Second, 200*time.Millisecond, "the secret is gone")
	_, err = c.GetSecretValue(t.Context(), &sm.GetSecretValueInput{SecretId: aws.String(name)})
	conformance.RequireCode(t, err, "ResourceNotFoundException")
}

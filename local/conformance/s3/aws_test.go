//go:build awsconformance

package s3

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/conformance"
)

// TestAWS creates a versioned bucket named onair-conformance-…-bucket with
// CORS rules like the template's asset bucket, runs the suite on it, then
// deletes every version and the bucket.
func TestAWS(t *testing.T) {
	target := conformance.AWS(t)
	c := s3.NewFromConfig(target.Config)
	ctx := t.Context()
	name := target.Prefix + "-bucket"
	const origin = "https://conformance.example"
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if target.Config.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(target.Config.Region)}
	}
	_, err := c.CreateBucket(ctx, in)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(name)})
		if err == nil {
			for _, v := range out.Versions {
				_, _ = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: v.Key, VersionId: v.VersionId})
			}
			for _, m := range out.DeleteMarkers {
				_, _ = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: m.Key, VersionId: m.VersionId})
			}
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Errorf("delete the bucket %s by hand: %v", name, err)
		}
	})
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(name), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "PUT", "POST", "HEAD"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag", "x-amz-version-id", "Location", "Date"}}},
	}})
	require.NoError(t, err)

	Run(t, target, Bucket{Name: name, Origin: origin})
}

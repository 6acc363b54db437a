//go:build xraysdk

package app

import (
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestXRaySDKRecordsEachAWSCall: built with -tags xraysdk, every AWS call
// made with awsConfig's settings becomes a subsegment of the invocation's
// segment, sent to the X-Ray daemon (here a UDP socket of the test).
func TestXRaySDKRecordsEachAWSCall(t *testing.T) {
	require.True(t, XRaySDK)
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer daemon.Close()
	require.NoError(t, xray.Configure(xray.Config{DaemonAddr: daemon.LocalAddr().String()}))

	dynamo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		body := []byte(`{"TableNames":[]}`)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
		_, _ = w.Write(body)
	}))
	defer dynamo.Close()
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := awsConfig(t.Context())
	require.NoError(t, err)
	cfg.BaseEndpoint = aws.String(dynamo.URL)

	ctx, seg := xray.BeginSegment(t.Context(), "invocation")
	_, err = dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	seg.Close(nil)

	var sent strings.Builder
	buf := make([]byte, 64<<10)
	require.NoError(t, daemon.SetReadDeadline(time.Now().Add(5*time.Second)))
	for !strings.Contains(sent.String(), `"name":"invocation"`) {
		n, _, err := daemon.ReadFrom(buf)
		require.NoError(t, err, "the segment reaches the daemon; got so far: %s", sent.String())
		sent.Write(buf[:n])
	}
	assert.Contains(t, sent.String(), `"name":"DynamoDB"`, "the call is a subsegment")
	assert.Contains(t, sent.String(), `"operation":"ListTables"`)
}

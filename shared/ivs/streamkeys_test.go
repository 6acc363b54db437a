package ivs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/awstest"
	"github.com/onair/onair/shared/onair"
)

func TestListStreamKeys(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"ListStreamKeys": {
			{Body: `{"streamKeys":[{"arn":"k1","channelArn":"` + chArn + `"}],"nextToken":"n"}`},
			{Body: `{"streamKeys":[{"arn":"k2","channelArn":"` + chArn + `"}]}`},
		},
	}}
	c := channelsTestClient(t, api)
	arns, err := c.ListStreamKeys(context.Background(), chArn)
	require.NoError(t, err)
	assert.Equal(t, []string{"k1", "k2"}, arns)
	assert.Equal(t, chArn, api.Body(0)["channelArn"])
	assert.Equal(t, "n", api.Body(1)["nextToken"])
}

func TestGetAndCreateStreamKey(t *testing.T) {
	api := &awstest.Fake{Replies: map[string][]awstest.Reply{
		"GetStreamKey":    {{Body: `{"streamKey":` + keyDoc + `}`}},
		"CreateStreamKey": {{Body: `{"streamKey":` + keyDoc + `}`}},
	}}
	c := channelsTestClient(t, api)
	k, err := c.GetStreamKey(context.Background(), keyArn)
	require.NoError(t, err)
	assert.Equal(t, wantKey, k)
	assert.Equal(t, map[string]any{"arn": keyArn}, api.Body(0))
	k, err = c.CreateStreamKey(context.Background(), chArn)
	require.NoError(t, err)
	assert.Equal(t, wantKey, k)
	assert.Equal(t, map[string]any{"channelArn": chArn}, api.Body(1))
}

func TestStreamKeyErrors(t *testing.T) {
	notFound := awstest.Reply{Status: 404, ErrType: "ResourceNotFoundException", Body: `{"exceptionMessage":"no"}`}
	throttled := awstest.Reply{Status: 429, ErrType: "ThrottlingException", Body: `{"exceptionMessage":"slow"}`}
	quota := awstest.Reply{Status: 402, ErrType: "ServiceQuotaExceededException", Body: `{"exceptionMessage":"one key per channel"}`}
	cases := []struct {
		name  string
		op    string
		reply awstest.Reply
		call  func(c *Client) error
		code  onair.Code
	}{
		{"get missing", "GetStreamKey", notFound, func(c *Client) error { _, err := c.GetStreamKey(context.Background(), keyArn); return err }, onair.NotFound},
		{"list of a missing channel", "ListStreamKeys", notFound, func(c *Client) error { _, err := c.ListStreamKeys(context.Background(), chArn); return err }, onair.NotFound},
		{"create while one exists", "CreateStreamKey", quota, func(c *Client) error { _, err := c.CreateStreamKey(context.Background(), chArn); return err }, onair.Throttled},
		{"create throttled", "CreateStreamKey", throttled, func(c *Client) error { _, err := c.CreateStreamKey(context.Background(), chArn); return err }, onair.Throttled},
		{"create without a key in the reply", "CreateStreamKey", awstest.Reply{Body: `{}`}, func(c *Client) error { _, err := c.CreateStreamKey(context.Background(), chArn); return err }, onair.Internal},
		{"delete missing is fine", "DeleteStreamKey", notFound, func(c *Client) error { return c.DeleteStreamKey(context.Background(), keyArn) }, ""},
		{"delete done", "DeleteStreamKey", awstest.Reply{Status: 204}, func(c *Client) error { return c.DeleteStreamKey(context.Background(), keyArn) }, ""},
		{"delete throttled", "DeleteStreamKey", throttled, func(c *Client) error { return c.DeleteStreamKey(context.Background(), keyArn) }, onair.Throttled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := channelsTestClient(t, &awstest.Fake{Replies: map[string][]awstest.Reply{tc.op: {tc.reply}}})
			err := tc.call(c)
			if tc.code == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
		})
	}
}

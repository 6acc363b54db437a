package ivs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

func TestListStreamKeys(t *testing.T) {
	api := &channelsAPI{replies: map[string][]apiReply{
		"ListStreamKeys": {
			{body: `{"streamKeys":[{"arn":"k1","channelArn":"` + chArn + `"}],"nextToken":"n"}`},
			{body: `{"streamKeys":[{"arn":"k2","channelArn":"` + chArn + `"}]}`},
		},
	}}
	c := channelsTestClient(t, api)
	arns, err := c.ListStreamKeys(context.Background(), chArn)
	require.NoError(t, err)
	assert.Equal(t, []string{"k1", "k2"}, arns)
	assert.Equal(t, chArn, api.body(0)["channelArn"])
	assert.Equal(t, "n", api.body(1)["nextToken"])
}

func TestGetAndCreateStreamKey(t *testing.T) {
	api := &channelsAPI{replies: map[string][]apiReply{
		"GetStreamKey":    {{body: `{"streamKey":` + keyDoc + `}`}},
		"CreateStreamKey": {{body: `{"streamKey":` + keyDoc + `}`}},
	}}
	c := channelsTestClient(t, api)
	k, err := c.GetStreamKey(context.Background(), keyArn)
	require.NoError(t, err)
	assert.Equal(t, wantKey, k)
	assert.Equal(t, map[string]any{"arn": keyArn}, api.body(0))
	k, err = c.CreateStreamKey(context.Background(), chArn)
	require.NoError(t, err)
	assert.Equal(t, wantKey, k)
	assert.Equal(t, map[string]any{"channelArn": chArn}, api.body(1))
}

func TestStreamKeyErrors(t *testing.T) {
	notFound := apiReply{404, "ResourceNotFoundException", `{"exceptionMessage":"no"}`}
	throttled := apiReply{429, "ThrottlingException", `{"exceptionMessage":"slow"}`}
	quota := apiReply{402, "ServiceQuotaExceededException", `{"exceptionMessage":"one key per channel"}`}
	cases := []struct {
		name  string
		op    string
		reply apiReply
		call  func(c *Client) error
		code  onair.Code
	}{
		{"get missing", "GetStreamKey", notFound, func(c *Client) error { _, err := c.GetStreamKey(context.Background(), keyArn); return err }, onair.NotFound},
		{"list of a missing channel", "ListStreamKeys", notFound, func(c *Client) error { _, err := c.ListStreamKeys(context.Background(), chArn); return err }, onair.NotFound},
		{"create while one exists", "CreateStreamKey", quota, func(c *Client) error { _, err := c.CreateStreamKey(context.Background(), chArn); return err }, onair.Throttled},
		{"create throttled", "CreateStreamKey", throttled, func(c *Client) error { _, err := c.CreateStreamKey(context.Background(), chArn); return err }, onair.Throttled},
		{"create without a key in the reply", "CreateStreamKey", apiReply{body: `{}`}, func(c *Client) error { _, err := c.CreateStreamKey(context.Background(), chArn); return err }, onair.Internal},
		{"delete missing is fine", "DeleteStreamKey", notFound, func(c *Client) error { return c.DeleteStreamKey(context.Background(), keyArn) }, ""},
		{"delete done", "DeleteStreamKey", apiReply{status: 204}, func(c *Client) error { return c.DeleteStreamKey(context.Background(), keyArn) }, ""},
		{"delete throttled", "DeleteStreamKey", throttled, func(c *Client) error { return c.DeleteStreamKey(context.Background(), keyArn) }, onair.Throttled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := channelsTestClient(t, &channelsAPI{replies: map[string][]apiReply{tc.op: {tc.reply}}})
			err := tc.call(c)
			if tc.code == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tc.code, onair.ErrorCode(err), "%v", err)
		})
	}
}

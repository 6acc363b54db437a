package stack_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/local/internal/sfu/whipclient"
)

// TestStageMediaOffline holds a stage on the offline stack end to end: the
// backend's token service (self-signing mode) decides the roles, the SFU
// verifies the tokens and relays the media, and the IVS Stage Update events
// it causes reach the stage events function through the offline EventBridge
// (the backend then sees who publishes); the host's disconnect and end cut
// the media.
func TestStageMediaOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	s := boot(t, map[string]string{"EnableUserAutoVerify": "true", "StageTokenSigning": "self"}, nil)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(awsConfig(s))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signUp := func(name string) *user {
		u := &user{name: name, email: name + "@example.com", password: "Passw0rd!x"}
		_, err := c.cognito.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String(u.name),
			Password: aws.String(u.password), UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}}})
		require.NoError(t, err)
		c.signIn(u)
		status, _ := c.api("POST", "/channel/resources/create", u.access, map[string]string{"email": u.email})
		require.Equal(t, http.StatusCreated, status)
		return u
	}
	host, guest := signUp("hosty"), signUp("guesty")

	cfg := s.Config()
	assert.Equal(t, "whip", cfg["stageClient"])
	assert.Equal(t, s.SFUURL, cfg["stageSfuUrl"])
	sfuc, err := whipclient.New(s.SFUURL, s.Cert.ClientTLSConfig())
	require.NoError(t, err)

	status, out := c.api("POST", "/stages", host.access, map[string]any{"allowAnonymous": true})
	require.Equal(t, http.StatusCreated, status, out)
	stage := out["stage"].(map[string]any)
	stageID := stage["id"].(string)
	assert.Equal(t, s.SFUURL, stage["endpoints"].(map[string]any)["whip"], "the stage's WHIP endpoint is the SFU")
	hostTok := out["token"].(map[string]any)

	status, _ = c.api("POST", "/stages/"+stageID+"/invites", host.access, map[string]any{"username": guest.name})
	require.Equal(t, http.StatusOK, status)
	status, out = c.api("POST", "/stages/"+stageID+"/tokens", guest.access, map[string]any{"role": "publisher"})
	require.Equal(t, http.StatusOK, status, out)
	guestTok := out["token"].(map[string]any)
	status, out = c.api("POST", "/stages/"+stageID+"/tokens", "", nil)
	require.Equal(t, http.StatusOK, status, out)
	viewerTok := out["token"].(map[string]any)["token"].(string)

	hostPub, err := sfuc.Publish(ctx, stageID, hostTok["token"].(string))
	require.NoError(t, err)
	guestPub, err := sfuc.Publish(ctx, stageID, guestTok["token"].(string))
	require.NoError(t, err)
	go hostPub.Pump(ctx, 30, 400)
	go guestPub.Pump(ctx, 30, 400)

	// The events reached the stage events function: the backend lists both
	// as publishing.
	publishing := func() []string {
		status, out := c.api("GET", "/stages/"+stageID, host.access, nil)
		require.Equal(t, http.StatusOK, status, out)
		var ids []string
		for _, p := range out["stage"].(map[string]any)["publishing"].([]any) {
			ids = append(ids, p.(map[string]any)["participantId"].(string))
		}
		return ids
	}
	eventually(t, 10*time.Second, func() bool { return len(publishing()) == 2 })
	assert.ElementsMatch(t, []string{hostTok["participantId"].(string), guestTok["participantId"].(string)}, publishing())

	// The anonymous viewer receives both.
	var subs []*whipclient.Subscriber
	for _, pid := range []string{hostTok["participantId"].(string), guestTok["participantId"].(string)} {
		var sub *whipclient.Subscriber
		eventually(t, 10*time.Second, func() bool { // until the publisher's media flows
			sub, err = sfuc.Subscribe(ctx, stageID, pid, viewerTok, nil)
			return err == nil
		})
		subs = append(subs, sub)
	}
	eventually(t, 10*time.Second, func() bool { return subs[0].Packets("video") > 10 && subs[1].Packets("audio") > 10 })

	// The host removes the guest: its media stops, the backend sees it stop.
	status, _ = c.api("DELETE", "/stages/"+stageID+"/participants/"+guestTok["participantId"].(string), host.access, map[string]any{})
	require.Equal(t, http.StatusNoContent, status)
	eventually(t, 10*time.Second, func() bool { return len(publishing()) == 1 })
	n := subs[1].Packets("video")
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, n, subs[1].Packets("video"), "no media from the removed guest")

	// The host ends the stage: everything stops.
	status, _ = c.api("DELETE", "/stages/"+stageID, host.access, nil)
	require.Equal(t, http.StatusNoContent, status)
	n = subs[0].Packets("video")
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, n, subs[0].Packets("video"), "no media after the stage ended")
	_, err = sfuc.Publish(ctx, stageID, hostTok["token"].(string))
	var werr *whipclient.Error
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, http.StatusNotFound, werr.Status)
}

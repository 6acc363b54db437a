package stack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentCallersGetTheirOwnAnswers: many clients of two users call
// GET /channel at once through the gateway with real tokens; every answer is
// the caller's own channel and stream key, and every body is well formed.
// (aws-lambda-go returns a response slice from a buffer it reuses for the
// next invocation: a host invoking one handler concurrently once served
// other users' stream keys and corrupted bodies.)
func TestConcurrentCallersGetTheirOwnAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the whole stack")
	}
	s := boot(t, nil, nil)
	c := client{t: t, s: s, cognito: cip.NewFromConfig(awsConfig(s))}
	users := []*user{c.signUp("carol"), c.signUp("derek")}
	keys := map[string]string{}
	for _, u := range users {
		status, _ := c.api("POST", "/channel/resources/create", u.access, map[string]string{"email": u.email})
		require.Equal(t, http.StatusCreated, status)
		status, me := c.api("GET", "/channel", u.access, nil)
		require.Equal(t, http.StatusOK, status)
		keys[u.name] = me["streamKeyValue"].(string)
		require.NotEmpty(t, keys[u.name])
	}
	require.NotEqual(t, keys["carol"], keys["derek"])

	const clients, calls = 32, 25
	var wg sync.WaitGroup
	errs := make(chan error, clients*calls)
	for i := 0; i < clients; i++ {
		u := users[i%len(users)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < calls; j++ {
				errs <- getOwnChannel(http.DefaultClient, s.APIURL, u, keys[u.name])
			}
		}()
	}
	wg.Wait()
	close(errs)
	var failures []string
	for err := range errs {
		if err != nil {
			failures = append(failures, err.Error())
		}
	}
	assert.Empty(t, failures, "%d of %d answers were not the caller's own", len(failures), clients*calls)
}

func getOwnChannel(hc *http.Client, api string, u *user, key string) error {
	req, err := http.NewRequest("GET", api+"/channel", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+u.access)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d: %s", u.name, resp.StatusCode, raw)
	}
	var me struct {
		Username       string `json:"username"`
		StreamKeyValue string `json:"streamKeyValue"`
	}
	if err := json.Unmarshal(raw, &me); err != nil {
		return fmt.Errorf("%s: malformed body %q: %w", u.name, raw, err)
	}
	if me.Username != u.name || me.StreamKeyValue != key {
		return fmt.Errorf("%s got %s's channel", u.name, me.Username)
	}
	return nil
}

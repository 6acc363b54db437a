package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/store"
)

func invokeHTTP(t *testing.T, f app.Function, p *app.Platform, method, path string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	h, err := f.Build(context.Background(), p)
	require.NoError(t, err)
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
	}}
	payload, err := json.Marshal(req)
	require.NoError(t, err)
	out, err := h.Invoke(context.Background(), payload)
	require.NoError(t, err)
	var resp events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

func ok(context.Context, *app.Platform) (http.Handler, error) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }), nil
}

func TestHTTPFunctionServesItsRoutesOnly(t *testing.T) {
	f := app.HTTP("Teapot", app.Public, ok, "GET /pots/{id}", "POST /pots/{id}")
	assert.Equal(t, []app.Route{{Method: "GET", Path: "/pots/{id}"}, {Method: "POST", Path: "/pots/{id}"}}, f.Routes)
	p := &app.Platform{Name: "Teapot"}
	assert.Equal(t, http.StatusTeapot, invokeHTTP(t, f, p, "GET", "/pots/1").StatusCode)
	assert.Equal(t, http.StatusTeapot, invokeHTTP(t, f, p, "POST", "/pots/1").StatusCode)
	assert.Equal(t, http.StatusNotFound, invokeHTTP(t, f, p, "GET", "/kettles/1").StatusCode)
}

func TestMountServesARouteUnderAPrefix(t *testing.T) {
	long := "/search/" + strings.Repeat("k", 150) // longer than the edge's path parameters
	f := app.HTTP("Search", app.Public, ok, "GET /search/{q}")
	assert.Equal(t, http.StatusBadRequest, invokeHTTP(t, f, &app.Platform{Name: "Search"}, "GET", long).StatusCode)
	f = f.Mount("GET /search/{q}", "GET /search/")
	assert.Equal(t, http.StatusTeapot, invokeHTTP(t, f, &app.Platform{Name: "Search"}, "GET", long).StatusCode)
}

func TestRequiredAuthRefusesRequestsWithoutClaims(t *testing.T) {
	f := app.HTTP("Private", app.Required, ok, "GET /mine")
	assert.Equal(t, http.StatusUnauthorized, invokeHTTP(t, f, &app.Platform{Name: "Private"}, "GET", "/mine").StatusCode)
}

func TestBuildNamesTheFunctionInErrors(t *testing.T) {
	failing := func(context.Context, *app.Platform) (http.Handler, error) {
		return nil, errors.New("missing environment: X")
	}
	_, err := app.HTTP("Broken", app.Public, failing, "GET /x").Build(context.Background(), &app.Platform{})
	assert.EqualError(t, err, "Broken: missing environment: X")

	_, err = app.HTTP("NoAuth", 0, ok, "GET /x").Build(context.Background(), &app.Platform{})
	assert.ErrorContains(t, err, "NoAuth: auth mode not set")

	// Optional login needs the user pool to verify tokens.
	_, err = app.HTTP("Optional", app.Optional, ok, "GET /x").Build(context.Background(), &app.Platform{Env: func(string) string { return "" }})
	assert.ErrorContains(t, err, "USER_POOL_ID, USER_POOL_CLIENT_ID")
}

func TestEventFunctionRunsItsHandler(t *testing.T) {
	f := app.Event("Echo", func(context.Context, *app.Platform) (any, error) {
		return func(ctx context.Context, in map[string]string) (map[string]string, error) { return in, nil }, nil
	})
	assert.Empty(t, f.Routes)
	h, err := f.Build(context.Background(), &app.Platform{Name: "Echo"})
	require.NoError(t, err)
	out, err := h.Invoke(context.Background(), []byte(`{"a":"b"}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":"b"}`, string(out))
}

type fakeStore struct{ store.Store }

func TestStoreIsTheOfflineOneOrOpened(t *testing.T) {
	offline := fakeStore{}
	opened := 0
	open := func(aws.Config, func(string) string) (store.Store, error) { opened++; return fakeStore{}, nil }

	p := &app.Platform{Offline: app.Offline{Store: offline}}
	got, err := p.Store(open)
	require.NoError(t, err)
	assert.Equal(t, store.Store(offline), got)
	assert.Zero(t, opened, "the cloud store is not opened offline")

	p = &app.Platform{Env: func(string) string { return "" }}
	_, err = p.Store(open)
	require.NoError(t, err)
	assert.Equal(t, 1, opened)
}

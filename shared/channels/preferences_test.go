package channels

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const prefsPath = "/channel/preferences/update"

func TestUpdatePreferences(t *testing.T) {
	assetID := ChannelAssetID(alice.Sub)
	avatarURL := "https://onair-assets.s3.us-east-1.amazonaws.com/" + assetID + "/avatar?versionId=v2"
	bannerURL := "http://localhost:4566/onair-assets/" + assetID + "/banner?versionId=v9"
	stored := time.Date(2026, 5, 1, 11, 0, 0, 0, time.UTC) // the stored images' time
	newer := "Fri, 01 May 2026 11:30:00 GMT"
	older := "Fri, 01 May 2026 10:30:00 GMT"

	type want struct {
		avatar, color, banner string
		avatarURL, bannerURL  string
		avatarAt              time.Time
	}
	unchanged := want{avatar: "bear", color: "blue", avatarURL: "https://cdn.example.com/old/avatar", bannerURL: "", avatarAt: stored}

	cases := []struct {
		name   string
		body   string
		status int
		typ    string
		want   want
	}{
		{name: "color", body: `{"color":{"name":"green"}}`, status: 200,
			want: want{avatar: "bear", color: "green", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "preset avatar", body: `{"avatar":{"name":"tiger"}}`, status: 200,
			want: want{avatar: "tiger", color: "blue", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "custom avatar already uploaded", body: `{"avatar":{"name":"custom"}}`, status: 200,
			want: want{avatar: "custom", color: "blue", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "preset banner", body: `{"banner":{"name":"ocean"}}`, status: 200,
			want: want{avatar: "bear", color: "blue", banner: "ocean", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "several at once", body: `{"color":{"name":"yellow"},"avatar":{"name":"ibex"},"banner":{"name":"dusk"}}`, status: 200,
			want: want{avatar: "ibex", color: "yellow", banner: "dusk", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "newer avatar preview", body: `{"avatar":{"name":"custom","previewUrl":"` + avatarURL + `","uploadDateTime":"` + newer + `"}}`, status: 200,
			want: want{avatar: "custom", color: "blue", avatarURL: avatarURL, avatarAt: time.Date(2026, 5, 1, 11, 30, 0, 0, time.UTC)}},
		{name: "RFC 3339 upload time", body: `{"avatar":{"previewUrl":"` + avatarURL + `","uploadDateTime":"2026-05-01T11:45:00.5Z"}}`, status: 200,
			want: want{avatar: "custom", color: "blue", avatarURL: avatarURL, avatarAt: time.Date(2026, 5, 1, 11, 45, 0, 5e8, time.UTC)}},
		{name: "older avatar preview is a successful no-op for the image", body: `{"avatar":{"name":"custom","previewUrl":"` + avatarURL + `","uploadDateTime":"` + older + `"}}`, status: 200,
			want: want{avatar: "custom", color: "blue", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "same-time preview is a no-op", body: `{"avatar":{"previewUrl":"` + avatarURL + `","uploadDateTime":"Fri, 01 May 2026 11:00:00 GMT"}}`, status: 200,
			want: want{avatar: "custom", color: "blue", avatarURL: unchanged.avatarURL, avatarAt: stored}},
		{name: "first banner preview", body: `{"banner":{"previewUrl":"` + bannerURL + `","uploadDateTime":"` + older + `"}}`, status: 200,
			want: want{avatar: "bear", color: "blue", banner: "custom", avatarURL: unchanged.avatarURL, bannerURL: bannerURL, avatarAt: stored}},

		// Refusals leave the profile as it was.
		{name: "unknown key", body: `{"colour":{"name":"green"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "unknown key next to valid ones", body: `{"color":{"name":"green"},"theme":{"name":"dark"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "unknown field", body: `{"color":{"name":"green","hex":"#0f0"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "unknown color", body: `{"color":{"name":"red"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "color is case-sensitive", body: `{"color":{"name":"Green"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "color cannot be custom", body: `{"color":{"name":"custom"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "unknown avatar", body: `{"avatar":{"name":"unicorn"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "unknown banner", body: `{"banner":{"name":"bear"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "custom banner never uploaded", body: `{"banner":{"name":"custom"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "empty name", body: `{"avatar":{"name":""}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "no name or preview", body: `{"avatar":{}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "null value", body: `{"avatar":null}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "string value", body: `{"avatar":"bear"}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "name of wrong type", body: `{"avatar":{"name":7}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "empty object", body: `{}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "no body", body: ``, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "array body", body: `[]`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "preview without time", body: `{"avatar":{"previewUrl":"` + avatarURL + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "time without preview", body: `{"avatar":{"uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "preview with a preset name", body: `{"avatar":{"name":"bear","previewUrl":"` + avatarURL + `","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "color with a preview", body: `{"color":{"name":"green","previewUrl":"` + avatarURL + `","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "bad upload time", body: `{"avatar":{"previewUrl":"` + avatarURL + `","uploadDateTime":"yesterday"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "upload time in the future", body: `{"avatar":{"previewUrl":"` + avatarURL + `","uploadDateTime":"Sat, 02 May 2026 12:00:00 GMT"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "preview of someone else's image", body: `{"avatar":{"previewUrl":"https://onair-assets.s3.amazonaws.com/` + ChannelAssetID(bob.Sub) + `/avatar","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "preview of the other asset type", body: `{"avatar":{"previewUrl":"https://onair-assets.s3.amazonaws.com/` + assetID + `/banner","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "preview of an arbitrary site", body: `{"avatar":{"previewUrl":"https://evil.example.com/x.png","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "own key on another host", body: `{"avatar":{"previewUrl":"https://evil.example.com/` + assetID + `/avatar","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "own key in another bucket", body: `{"avatar":{"previewUrl":"https://attacker-bucket.s3.amazonaws.com/` + assetID + `/avatar","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "own key under another path of the bucket", body: `{"avatar":{"previewUrl":"https://onair-assets.s3.us-east-1.amazonaws.com/x/` + assetID + `/avatar","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "javascript preview", body: `{"avatar":{"previewUrl":"javascript:alert(1)//` + assetID + `/avatar","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
		{name: "empty preview", body: `{"avatar":{"previewUrl":"","uploadDateTime":"` + newer + `"}}`, status: 400, typ: "BadRequestException", want: unchanged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.signUp(alice)
			u := e.provision(t, alice)
			u.ChannelAssets = map[string]onair.Asset{"avatar": {URL: "https://cdn.example.com/old/avatar", Sequencer: "00A1", LastModified: stored}}
			e.store.put(u)

			w := do(e.svc.UpdatePreferences(), alice, http.MethodPut, prefsPath, tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.status == http.StatusOK {
				assert.JSONEq(t, tc.body, w.Body.String(), "echoes the body")
			} else {
				assert.Equal(t, tc.typ, errorType(t, w))
			}
			got := e.store.user(t, alice.Sub)
			assert.Equal(t, tc.want.avatar, got.Avatar)
			assert.Equal(t, tc.want.color, got.Color)
			assert.Equal(t, tc.want.banner, got.Banner)
			assert.Equal(t, tc.want.avatarURL, got.ChannelAssets["avatar"].URL)
			assert.True(t, tc.want.avatarAt.Equal(got.ChannelAssets["avatar"].LastModified), "avatar time %v", got.ChannelAssets["avatar"].LastModified)
			assert.Equal(t, "00A1", got.ChannelAssets["avatar"].Sequencer, "sequencer is the asset processor's")
			assert.Equal(t, tc.want.bannerURL, got.ChannelAssets["banner"].URL)
		})
	}
}

func TestUpdatePreferencesStates(t *testing.T) {
	preview := `{"avatar":{"previewUrl":"https://onair-assets.s3.amazonaws.com/` + ChannelAssetID(alice.Sub) + `/avatar","uploadDateTime":"Fri, 01 May 2026 11:30:00 GMT"}}`
	cases := []struct {
		name   string
		setup  func(t *testing.T, e *env)
		caller onair.Caller
		body   string
		status int
		typ    string
	}{
		{name: "names work before the channel exists", setup: func(t *testing.T, e *env) { e.signUp(alice) },
			caller: alice, body: `{"color":{"name":"salmon"}}`, status: 200},
		{name: "previews need the channel's asset id", setup: func(t *testing.T, e *env) { e.signUp(alice) },
			caller: alice, body: preview, status: 404, typ: "ChannelNotProvisionedException"},
		{name: "no profile", caller: alice, body: `{"color":{"name":"salmon"}}`, status: 404, typ: "UserNotFoundException"},
		{name: "no caller", caller: onair.Caller{}, body: `{"color":{"name":"salmon"}}`, status: 401, typ: "UnauthorizedException"},
		{name: "store failure", setup: func(t *testing.T, e *env) { e.signUp(alice); e.store.Fail("UpdateUser", errBoom) },
			caller: alice, body: `{"color":{"name":"salmon"}}`, status: 500, typ: "ChangeUserPreferencesException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			w := do(e.svc.UpdatePreferences(), tc.caller, http.MethodPut, prefsPath, tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			if tc.typ != "" {
				assert.Equal(t, tc.typ, errorType(t, w))
			}
		})
	}
}

func TestUpdatePreferencesNoChangeWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.signUp(alice)
	before := e.store.user(t, alice.Sub).Version
	w := do(e.svc.UpdatePreferences(), alice, http.MethodPut, prefsPath, `{"color":{"name":"blue"}}`)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, before, e.store.user(t, alice.Sub).Version)
}

// TestPreviewMatches: a preview may only name the caller's own object in the
// deployment's assets bucket, at any of the addresses S3 answers an upload
// with (virtual-hosted or path-style, global or regional) or the address the
// upload form was posted to. Any other host would let a user make every
// viewer's browser load an image from a server of their choosing.
func TestPreviewMatches(t *testing.T) {
	const id = "7da3ae67-761a-53ed-afce-c189cfd698ae"
	aws := Config{Region: "us-east-1", AssetBucket: "onair-prod-assets", AssetUploadURL: "https://onair-prod-assets.s3.us-east-1.amazonaws.com"}
	offline := Config{Region: "us-east-1", AssetBucket: "onair-dev-assets", AssetUploadURL: "http://127.0.0.1:4566/onair-dev-assets"}
	cases := []struct {
		name string
		cfg  Config
		url  string
		ok   bool
	}{
		{"upload URL", aws, "https://onair-prod-assets.s3.us-east-1.amazonaws.com/" + id + "/avatar?versionId=3HL4", true},
		{"upload URL, host in capitals", aws, "https://ONAIR-PROD-ASSETS.S3.US-EAST-1.AMAZONAWS.COM/" + id + "/avatar", true},
		{"global virtual-hosted", aws, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar", true},
		{"global path-style, key escaped", aws, "https://s3.amazonaws.com/onair-prod-assets/" + id + "%2Favatar", true},
		{"regional path-style", aws, "https://s3.us-east-1.amazonaws.com/onair-prod-assets/" + id + "/avatar", true},
		{"dash-regional", aws, "https://onair-prod-assets.s3-us-east-1.amazonaws.com/" + id + "/avatar", true},
		{"offline upload URL", offline, "http://127.0.0.1:4566/onair-dev-assets/" + id + "/banner", true},

		{"another host", aws, "https://evil.example.com/" + id + "/avatar", false},
		{"another host ending like S3", aws, "https://onair-prod-assets.s3.us-east-1.amazonaws.com.evil.example/" + id + "/avatar", false},
		{"another bucket", aws, "https://attacker.s3.amazonaws.com/" + id + "/avatar", false},
		{"a bucket named like ours plus a suffix", aws, "https://onair-prod-assets.s3.x.s3.amazonaws.com/" + id + "/avatar", false},
		{"another bucket, path-style", aws, "https://s3.amazonaws.com/attacker/" + id + "/avatar", false},
		{"another region", aws, "https://onair-prod-assets.s3.eu-west-1.amazonaws.com/" + id + "/avatar", false},
		{"deeper path", aws, "https://onair-prod-assets.s3.amazonaws.com/x/" + id + "/avatar", false},
		{"another user's key", aws, "https://onair-prod-assets.s3.amazonaws.com/00000000-0000-5000-8000-000000000000/avatar", false},
		{"other asset type", aws, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/banner", false},
		{"user info", aws, "https://x@onair-prod-assets.s3.amazonaws.com/" + id + "/avatar", false},
		{"port on an AWS host", aws, "https://onair-prod-assets.s3.amazonaws.com:8443/" + id + "/avatar", false},
		{"ftp", aws, "ftp://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar", false},
		{"offline host with another port", offline, "http://127.0.0.1:9999/onair-dev-assets/" + id + "/banner", false},
		{"offline URL on the AWS stack", aws, "http://127.0.0.1:4566/onair-prod-assets/" + id + "/avatar", false},
		{"no bucket configured", Config{Region: "us-east-1"}, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar", false},
		{"not a URL", aws, "::" + id + "/avatar", false},
		{"markup in the query", aws, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar?x=%22%3E%3Csvg%20onload=alert(1)%3E", false},
		{"markup in the version id", aws, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar?versionId=%22%3E%3Csvg%3E", false},
		{"two version ids", aws, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar?versionId=a&versionId=b", false},
		{"fragment", aws, "https://onair-prod-assets.s3.amazonaws.com/" + id + "/avatar#\"><svg onload=alert(1)>", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ := "avatar"
			if strings.HasSuffix(tc.url, "/banner") && tc.name != "other asset type" {
				typ = "banner"
			}
			built, ok := tc.cfg.previewURL(tc.url, id, typ)
			assert.Equal(t, tc.ok, ok)
			if ok {
				// What is stored is built from the verified parts only.
				assert.NotContains(t, built, "\"")
				assert.NotContains(t, built, "<")
				assert.Regexp(t, `^https?://[a-z0-9.:-]+/[A-Za-z0-9/._-]+(\?versionId=[A-Za-z0-9._-]+)?$`, built)
			}
		})
	}
}

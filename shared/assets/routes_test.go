package assets

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/onair/onair/shared/onair"
)

func TestCreateAssetUpload(t *testing.T) {
	cases := []struct {
		body      string
		wantKey   string
		wantType  string
		wantBytes int64
	}{
		{`{"assetType":"avatar","contentType":"image/png"}`, "asset-alice/avatar", "image/png", 1_000_000},
		{`{"assetType":"banner","contentType":"image/jpeg"}`, "asset-alice/banner", "image/jpeg", 5_000_000},
		{`{"assetType":"avatar","contentType":"image/jpg"}`, "asset-alice/avatar", "image/jpg", 1_000_000},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			e := newEnv(t, alice)
			status, body := call(t, e.svc.CreateAssetUpload(), http.MethodPost, alice.Sub, tc.body)
			assert.Equal(t, http.StatusOK, status, body)
			assert.Equal(t, "https://bucket.example/", body["url"])
			assert.Equal(t, map[string]any{"key": tc.wantKey, "policy": "p", "x-amz-signature": "sig"}, body["fields"])
			assert.Equal(t, []presignCall{{tc.wantKey, tc.wantType, tc.wantBytes, 20 * time.Second}}, e.bucket.presign)
		})
	}
}

func TestCreateAssetUploadErrors(t *testing.T) {
	unprovisioned := onair.User{Sub: "sub-bob", Username: "bob"}
	cases := []struct {
		name   string
		sub    string
		body   string
		fail   error
		status int
		typ    string
	}{
		{"anonymous", "", `{"assetType":"avatar","contentType":"image/png"}`, nil, 401, "UnauthorizedException"},
		{"no body", alice.Sub, ``, nil, 400, "BadRequestException"},
		{"not JSON", alice.Sub, `{`, nil, 400, "BadRequestException"},
		{"unknown asset type", alice.Sub, `{"assetType":"cover","contentType":"image/png"}`, nil, 400, InvalidUploadType},
		{"missing asset type", alice.Sub, `{"contentType":"image/png"}`, nil, 400, InvalidUploadType},
		{"gif", alice.Sub, `{"assetType":"avatar","contentType":"image/gif"}`, nil, 400, InvalidUploadType},
		{"svg (scriptable)", alice.Sub, `{"assetType":"banner","contentType":"image/svg+xml"}`, nil, 400, InvalidUploadType},
		{"content type case", alice.Sub, `{"assetType":"banner","contentType":"IMAGE/PNG"}`, nil, 400, InvalidUploadType},
		{"no profile", "sub-nobody", `{"assetType":"avatar","contentType":"image/png"}`, nil, 404, "UserNotFoundException"},
		{"not provisioned", unprovisioned.Sub, `{"assetType":"avatar","contentType":"image/png"}`, nil, 404, "ChannelNotProvisionedException"},
		{"signing fails", alice.Sub, `{"assetType":"avatar","contentType":"image/png"}`, onair.Wrap(onair.Internal, "", "", assert.AnError), 500, "UnexpectedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, alice, unprovisioned)
			e.bucket.fail = tc.fail
			status, body := call(t, e.svc.CreateAssetUpload(), http.MethodPost, tc.sub, tc.body)
			assert.Equal(t, tc.status, status, body)
			assert.Equal(t, tc.typ, body["__type"])
			if tc.fail == nil {
				assert.Empty(t, e.bucket.presign, "nothing signed on a refused request")
			}
		})
	}
}

func TestDeleteAsset(t *testing.T) {
	uploaded := clone(alice)
	uploaded.ChannelAssets = map[string]onair.Asset{
		Avatar: {URL: "https://cdn/asset-alice/avatar?versionId=v2", Sequencer: "0055AED6DCD90281E5", LastModified: testNow.Add(-time.Hour)},
		Banner: {URL: "https://cdn/asset-alice/banner?versionId=v1", Sequencer: "0055AED6DCD9028100", LastModified: testNow.Add(-time.Hour)},
	}
	t.Run("avatar: cleared, preset avatar chosen, banner kept", func(t *testing.T) {
		e := newEnv(t, uploaded)
		status, body := call(t, e.svc.DeleteAsset(), http.MethodDelete, alice.Sub, `{"assetType":"avatar"}`)
		assert.Equal(t, http.StatusNoContent, status, body)
		assert.Equal(t, []string{"asset-alice/avatar"}, e.bucket.deleted)
		u := e.user(alice.Sub)
		assert.Equal(t, onair.Asset{Sequencer: "0055AED6DCD90281E5", LastModified: testNow}, u.ChannelAssets[Avatar], "tombstone: no URL")
		assert.Equal(t, uploaded.ChannelAssets[Banner], u.ChannelAssets[Banner])
		assert.Equal(t, "tiger", u.Avatar, "no longer names a deleted upload")
		assert.Equal(t, "custom", u.Banner)
	})
	t.Run("banner: default banner", func(t *testing.T) {
		e := newEnv(t, uploaded)
		status, _ := call(t, e.svc.DeleteAsset(), http.MethodDelete, alice.Sub, `{"assetType":"banner"}`)
		assert.Equal(t, http.StatusNoContent, status)
		u := e.user(alice.Sub)
		assert.Empty(t, u.ChannelAssets[Banner].URL)
		assert.Equal(t, "", u.Banner)
		assert.Equal(t, "custom", u.Avatar)
	})
	t.Run("a preset stays as it is", func(t *testing.T) {
		u := clone(uploaded)
		u.Avatar = "bear"
		e := newEnv(t, u)
		status, _ := call(t, e.svc.DeleteAsset(), http.MethodDelete, alice.Sub, `{"assetType":"avatar"}`)
		assert.Equal(t, http.StatusNoContent, status)
		assert.Equal(t, "bear", e.user(alice.Sub).Avatar)
	})
	t.Run("nothing uploaded: still 204, idempotent", func(t *testing.T) {
		u := clone(alice)
		u.Avatar = "bear"
		e := newEnv(t, u)
		for range 2 {
			status, _ := call(t, e.svc.DeleteAsset(), http.MethodDelete, alice.Sub, `{"assetType":"avatar"}`)
			assert.Equal(t, http.StatusNoContent, status)
		}
		assert.Equal(t, []string{"asset-alice/avatar", "asset-alice/avatar"}, e.bucket.deleted)
		assert.Empty(t, e.user(alice.Sub).ChannelAssets[Avatar].URL)
	})
}

func TestDeleteAssetErrors(t *testing.T) {
	unprovisioned := onair.User{Sub: "sub-bob", Username: "bob"}
	cases := []struct {
		name      string
		sub       string
		body      string
		bucketErr error
		storeErr  error
		status    int
		typ       string
		deleted   bool
	}{
		{"anonymous", "", `{"assetType":"avatar"}`, nil, nil, 401, "UnauthorizedException", false},
		{"no body", alice.Sub, ``, nil, nil, 400, "BadRequestException", false},
		{"missing type", alice.Sub, `{}`, nil, nil, 400, InvalidDeleteType, false},
		{"unknown type", alice.Sub, `{"assetType":"../banner"}`, nil, nil, 400, InvalidDeleteType, false},
		{"no profile", "sub-nobody", `{"assetType":"avatar"}`, nil, nil, 404, "UserNotFoundException", false},
		{"not provisioned", unprovisioned.Sub, `{"assetType":"avatar"}`, nil, nil, 404, "ChannelNotProvisionedException", false},
		{"S3 fails: profile untouched", alice.Sub, `{"assetType":"avatar"}`, onair.Wrap(onair.Internal, "", "", assert.AnError), nil, 500, "UnexpectedException", false},
		{"store fails after S3", alice.Sub, `{"assetType":"avatar"}`, nil, onair.ErrConflict, 409, "ConflictException", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := clone(alice)
			u.ChannelAssets = map[string]onair.Asset{Avatar: {URL: "https://cdn/asset-alice/avatar?versionId=v1"}}
			e := newEnv(t, u, unprovisioned)
			e.bucket.fail = tc.bucketErr
			if tc.storeErr != nil {
				e.store.FailAll("UpdateUser", tc.storeErr)
			}
			status, body := call(t, e.svc.DeleteAsset(), http.MethodDelete, tc.sub, tc.body)
			assert.Equal(t, tc.status, status, body)
			assert.Equal(t, tc.typ, body["__type"])
			assert.Equal(t, tc.deleted, len(e.bucket.deleted) > 0)
			assert.Equal(t, "https://cdn/asset-alice/avatar?versionId=v1", e.user(alice.Sub).ChannelAssets[Avatar].URL)
		})
	}
}

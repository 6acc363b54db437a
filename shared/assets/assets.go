// Package assets is the signed-in user's uploaded channel images (avatar and
// banner): the presigned POST that lets the browser upload one straight to
// the assets bucket, deleting one, and the processing of the bucket's
// ObjectCreated events that records the uploaded version's URL (served
// through CloudFront) in the profile.
//
// An image lives at "<channelAssetId>/<assetType>" in a versioned bucket, so
// every upload is a new version and its URL carries ?versionId=, which is
// also the only query string in CloudFront's cache key: a new upload is a new
// URL, and no cache ever needs invalidating.
package assets

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/profiles"
)

// Asset types: the last segment of an image's key.
const (
	Avatar = "avatar"
	Banner = "banner"
)

// Types lists the asset types.
func Types() []string { return []string{Avatar, Banner} }

// MaxBytes is the largest upload of each type, in decimal megabytes as the
// reference counted them (1 MB = 10^6 bytes).
func MaxBytes(assetType string) int64 {
	switch assetType {
	case Avatar:
		return 1_000_000
	case Banner:
		return 5_000_000
	}
	return 0
}

// UploadExpiry is how long a presigned POST is valid: long enough to start
// the upload right after asking for it, too short to hand around.
const UploadExpiry = 20 * time.Second

// ContentTypes are the accepted image types. "image/jpg" is not a registered
// type, but browsers and the reference web app send it for .jpg files.
func ContentTypes() []string { return []string{"image/jpeg", "image/jpg", "image/png"} }

// Store is the part of the storage contract (shared/store) this package uses.
type Store interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
	GetUserByAssetID(ctx context.Context, channelAssetID string) (onair.User, error)
	UpdateUser(ctx context.Context, sub string, fn func(*onair.User) error) (onair.User, error)
}

// Bucket is the assets bucket (shared/s3).
type Bucket interface {
	// PresignPost signs a browser upload of exactly key, of exactly
	// contentType, of at most maxBytes, valid for expires: the form's URL
	// and the fields to send before the file.
	PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (url string, fields map[string]string, err error)
	// DeleteObject deletes key's current version (no error if missing).
	DeleteObject(ctx context.Context, key string) error
}

// CreateAssetUpload serves POST /channel/assets/imagePresignedPost/create
// (see service.CreateAssetUpload).
func CreateAssetUpload(st Store, bucket Bucket, now func() time.Time) http.Handler {
	return (&service{Store: st, Bucket: bucket, Now: now}).CreateAssetUpload()
}

// DeleteAsset serves DELETE /channel/asset (see service.DeleteAsset).
func DeleteAsset(st Store, bucket Bucket, now func() time.Time) http.Handler {
	return (&service{Store: st, Bucket: bucket, Now: now}).DeleteAsset()
}

// UpdateAssetVersion is the handler of the assets queue: S3 ObjectCreated
// events of uploaded images, whose URLs are baseURL/<key>?versionId= (see
// service.UpdateAssetVersion).
func UpdateAssetVersion(st Store, baseURL string, now func() time.Time) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return (&service{Store: st, BaseURL: baseURL, Now: now}).UpdateAssetVersion
}

// service serves the asset routes and processes the bucket's events. Each
// constructor above sets the fields its route uses.
type service struct {
	Store  Store
	Bucket Bucket
	// BaseURL is where images are served (CHANNEL_ASSETS_BASE_URL: the
	// CloudFront distribution); an image's URL is BaseURL/<key>?versionId=.
	BaseURL string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// PresetAvatar picks the avatar of a user whose uploaded avatar is
	// deleted (a random preset when nil).
	PresetAvatar func() string
}

func (s *service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *service) presetAvatar() string {
	if s.PresetAvatar != nil {
		return s.PresetAvatar()
	}
	return profiles.RandomAvatar()
}

// Key is the object key of the user's image of assetType.
func Key(channelAssetID, assetType string) string { return channelAssetID + "/" + assetType }

func isType(t string) bool { return t == Avatar || t == Banner }

func errNotProvisioned() error {
	return onair.Errorf(onair.NotFound, "ChannelNotProvisionedException",
		"Your channel is not set up yet; create its resources first.")
}

func errUserNotFound() error {
	return onair.Errorf(onair.NotFound, "UserNotFoundException", "No profile exists for this user.")
}

// channel loads the caller's profile and requires its asset id, which
// provisioning sets.
func (s *service) channel(ctx context.Context, r *http.Request) (onair.User, error) {
	c, err := httpapi.MustCaller(r)
	if err != nil {
		return onair.User{}, err
	}
	u, err := s.Store.GetUser(ctx, c.Sub)
	if errors.Is(err, onair.ErrNotFound) {
		return u, errUserNotFound()
	}
	if err != nil {
		return u, err
	}
	if u.ChannelAssetID == "" {
		return u, errNotProvisioned()
	}
	return u, nil
}

package assets

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

// Exception names of the asset routes' input errors (the reference's).
const (
	InvalidUploadType = "InvalidPresignedPostInputException"
	InvalidDeleteType = "DeleteChannelAssetException"
)

type uploadRequest struct {
	AssetType   string `json:"assetType"`
	ContentType string `json:"contentType"`
}

// UploadResponse is a presigned POST: the browser posts a multipart form to
// URL with every field of Fields, then a Content-Type field equal to the
// requested content type, then the file last.
type UploadResponse struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

// CreateAssetUpload serves POST /channel/assets/imagePresignedPost/create
// with {"assetType": "avatar"|"banner", "contentType": "image/jpeg"|
// "image/jpg"|"image/png"}: a presigned POST for the caller's own image key,
// at most 1 MB (avatar) or 5 MB (banner), valid for 20 seconds.
func (s *service) CreateAssetUpload() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		var req uploadRequest
		if err := httpapi.Decode(r, &req); err != nil {
			return err
		}
		if !isType(req.AssetType) {
			return onair.Errorf(onair.Invalid, InvalidUploadType, "assetType must be one of %s.", strings.Join(Types(), ", "))
		}
		if !slices.Contains(ContentTypes(), req.ContentType) {
			return onair.Errorf(onair.Invalid, InvalidUploadType, "contentType must be one of %s.", strings.Join(ContentTypes(), ", "))
		}
		u, err := s.channel(r.Context(), r)
		if err != nil {
			return err
		}
		url, fields, err := s.Bucket.PresignPost(r.Context(), Key(u.ChannelAssetID, req.AssetType), req.ContentType, MaxBytes(req.AssetType), UploadExpiry)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, UploadResponse{URL: url, Fields: fields})
	})
}

type deleteRequest struct {
	AssetType string `json:"assetType"`
}

// DeleteAsset serves DELETE /channel/asset with {"assetType": ...}: the
// image's current version is deleted (the versioned bucket keeps a delete
// marker), its URL is cleared from the profile, and a profile that showed
// the deleted image shows a preset again: a random preset avatar, or the
// default banner (the reference left the name "custom" pointing at
// nothing). 204.
func (s *service) DeleteAsset() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		var req deleteRequest
		if err := httpapi.Decode(r, &req); err != nil {
			return err
		}
		if !isType(req.AssetType) {
			return onair.Errorf(onair.Invalid, InvalidDeleteType, "assetType must be one of %s.", strings.Join(Types(), ", "))
		}
		u, err := s.channel(r.Context(), r)
		if err != nil {
			return err
		}
		if err := s.Bucket.DeleteObject(r.Context(), Key(u.ChannelAssetID, req.AssetType)); err != nil {
			return err
		}
		if err := s.forget(r.Context(), u.Sub, req.AssetType); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusNoContent, nil)
	})
}

// forget clears the stored image of assetType. What remains is a tombstone:
// no URL, the last sequencer, and the deletion time as LastModified, so that
// an ObjectCreated event of an upload made before the deletion, delivered
// late, does not bring the image back (see UpdateAssetVersion).
func (s *service) forget(ctx context.Context, sub, assetType string) error {
	deletedAt := s.now().UTC()
	_, err := s.Store.UpdateUser(ctx, sub, func(u *onair.User) error {
		a := u.ChannelAssets[assetType]
		if u.ChannelAssets == nil {
			u.ChannelAssets = map[string]onair.Asset{}
		}
		u.ChannelAssets[assetType] = onair.Asset{Sequencer: a.Sequencer, LastModified: deletedAt}
		switch {
		case assetType == Avatar && u.Avatar == "custom":
			u.Avatar = s.presetAvatar()
		case assetType == Banner && u.Banner == "custom":
			u.Banner = ""
		}
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) {
		return errUserNotFound()
	}
	return err
}

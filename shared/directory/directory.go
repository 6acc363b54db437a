// Package directory serves the public face of channels: the channel page
// (GET /channels/{username}) and the live directory (GET /channels?isLive=true).
// It also defines the channel card, the public summary of a channel that every
// list (directory, following) shows.
package directory

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// MaxResults is the size of the live directory, as in the reference.
const MaxResults = 50

// Store is what the directory reads.
type Store interface {
	GetUserByUsername(ctx context.Context, username string) (onair.User, error)
	GetBan(ctx context.Context, ownerSub, bannedSub string) (onair.Ban, error)
	GetFollow(ctx context.Context, followerSub, followedSub string) (onair.Follow, error)
	ListSessions(ctx context.Context, channelArn string, limit int, cursor string) ([]onair.StreamSession, string, error)
	ListLiveUsers(ctx context.Context, limit int) ([]onair.User, error)
}

// Directory serves the public channel routes.
type Directory struct {
	store Store
}

// New returns the directory over st.
func New(st Store) *Directory { return &Directory{store: st} }

// GetChannelPage serves GET /channels/{username} (see
// Directory.GetChannelPage).
func GetChannelPage(st Store) http.Handler { return httpapi.Func(New(st).GetChannelPage) }

// ListChannels serves GET /channels, the live directory (see
// Directory.ListChannels).
func ListChannels(st Store) http.Handler { return httpapi.Func(New(st).ListChannels) }

// Card is a channel as lists show it.
type Card struct {
	Avatar           string            `json:"avatar"`
	Color            string            `json:"color"`
	Username         string            `json:"username"`
	ChannelAssetURLs map[string]string `json:"channelAssetUrls"`
}

// CardOf returns the card of u.
func CardOf(u onair.User) Card {
	return Card{Avatar: u.Avatar, Color: u.Color, Username: u.Username, ChannelAssetURLs: AssetURLs(u)}
}

// AssetURLs returns the URLs of u's uploaded images by asset type
// ("avatar", "banner"), leaving out assets without a URL (deleted ones).
// Never nil, so it encodes as {}.
func AssetURLs(u onair.User) map[string]string {
	out := make(map[string]string, len(u.ChannelAssets))
	for typ, a := range u.ChannelAssets {
		if a.URL != "" {
			out[typ] = a.URL
		}
	}
	return out
}

// ListResponse is the body of GET /channels.
type ListResponse struct {
	Channels   []Card `json:"channels"`
	MaxResults int    `json:"maxResults"`
}

// ListChannels serves GET /channels?isLive=true: the most recently started
// live channels. isLive is the only filter; without it the request is
// refused, and any value other than "true" lists nothing (as the reference).
func (d *Directory) ListChannels(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if !q.Has("isLive") {
		return onair.Errorf(onair.Invalid, "BadRequestException", "Missing required filter, one of: isLive")
	}
	resp := ListResponse{Channels: []Card{}, MaxResults: MaxResults}
	if q.Get("isLive") != "true" {
		return httpapi.WriteJSON(w, http.StatusOK, resp)
	}
	users, err := d.store.ListLiveUsers(r.Context(), MaxResults)
	if err != nil {
		return err
	}
	for _, u := range users {
		if !u.IsLive() {
			continue
		}
		resp.Channels = append(resp.Channels, CardOf(u))
		if len(resp.Channels) == MaxResults {
			break
		}
	}
	return httpapi.WriteJSON(w, http.StatusOK, resp)
}

// Page is the body of GET /channels/{username}.
type Page struct {
	Card
	ChannelArn string `json:"channelArn,omitempty"`
	StageID    string `json:"stageId,omitempty"`

	// IsLive, PlaybackURL and IngestConfiguration are left out for a viewer
	// the owner banned: they must not be able to watch.
	IsLive              *bool                `json:"isLive,omitempty"`
	PlaybackURL         string               `json:"playbackUrl,omitempty"`
	IngestConfiguration *IngestConfiguration `json:"ingestConfiguration,omitempty"`

	IsViewerBanned    bool `json:"isViewerBanned"`
	IsChannelBanned   bool `json:"isChannelBanned"`
	IsViewerFollowing bool `json:"isViewerFollowing"`
}

// IngestConfiguration is the part of a live stream's ingest configuration the
// player needs (its aspect ratio).
type IngestConfiguration struct {
	Video VideoConfiguration `json:"video"`
}

// VideoConfiguration is the live video's size in pixels.
type VideoConfiguration struct {
	VideoWidth  int64 `json:"videoWidth"`
	VideoHeight int64 `json:"videoHeight"`
}

// GetChannelPage serves GET /channels/{username}. Anyone may read a channel
// page; a signed-in viewer also learns whether they follow the channel,
// whether they banned its owner, and whether its owner banned them — in which
// case the page carries no stream.
func (d *Directory) GetChannelPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	owner, err := d.store.GetUserByUsername(ctx, r.PathValue("username"))
	if errors.Is(err, onair.ErrNotFound) {
		return onair.Errorf(onair.NotFound, "UserNotFoundException", "No channel is named %q.", r.PathValue("username"))
	}
	if err != nil {
		return err
	}
	page := Page{Card: CardOf(owner), ChannelArn: owner.ChannelArn, StageID: owner.StageID}

	if viewer, ok := httpapi.Caller(r); ok && viewer.Sub != owner.Sub {
		if page.IsViewerBanned, err = d.exists(d.store.GetBan(ctx, owner.Sub, viewer.Sub)); err != nil {
			return err
		}
		if page.IsChannelBanned, err = d.exists(d.store.GetBan(ctx, viewer.Sub, owner.Sub)); err != nil {
			return err
		}
		if page.IsViewerFollowing, err = d.exists(d.store.GetFollow(ctx, viewer.Sub, owner.Sub)); err != nil {
			return err
		}
		if page.IsViewerBanned {
			return httpapi.WriteJSON(w, http.StatusOK, page)
		}
	}

	live := owner.IsLive()
	page.IsLive = &live
	page.PlaybackURL = owner.PlaybackURL
	if live && owner.ChannelArn != "" {
		page.IngestConfiguration = d.liveIngest(ctx, owner)
	}
	return httpapi.WriteJSON(w, http.StatusOK, page)
}

// exists turns a Get's error into "does the record exist".
func (d *Directory) exists(_ any, err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, onair.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// liveIngest returns the video size of the owner's live session when stream
// processing has recorded it. It is a nicety for the player, so failures are
// logged and the page is served without it.
func (d *Directory) liveIngest(ctx context.Context, owner onair.User) *IngestConfiguration {
	sessions, _, err := d.store.ListSessions(ctx, owner.ChannelArn, 1, "")
	if err != nil {
		telemetry.Logger(ctx).Warn("latest session", "channelArn", owner.ChannelArn, "err", err.Error())
		return nil
	}
	if len(sessions) == 0 {
		return nil
	}
	s := sessions[0]
	// The latest session must be the live one: a stale configuration from an
	// earlier stream would give the player the wrong shape.
	if owner.LiveStreamID != "" && s.StreamID != owner.LiveStreamID || owner.LiveStreamID == "" && !s.Open {
		return nil
	}
	if len(s.IngestConfiguration) == 0 {
		return nil
	}
	// IVS names the fields videoWidth/videoHeight; a configuration stored from
	// the Go SDK's types spells them VideoWidth/VideoHeight. encoding/json
	// matches names case-insensitively, so both decode.
	var cfg IngestConfiguration
	if err := json.Unmarshal(s.IngestConfiguration, &cfg); err != nil {
		telemetry.Logger(ctx).Warn("ingest configuration", "streamId", s.StreamID, "err", err.Error())
		return nil
	}
	if cfg.Video.VideoWidth <= 0 || cfg.Video.VideoHeight <= 0 {
		return nil
	}
	return &cfg
}

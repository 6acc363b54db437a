package channels

import (
	"net"
	"net/http"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/telemetry"
)

// ChannelView is the caller's profile and channel, in the reference's shape
// (GET /channel), plus the banner choice.
type ChannelView struct {
	Avatar            string            `json:"avatar"`
	Banner            string            `json:"banner"`
	Color             string            `json:"color"`
	Username          string            `json:"username"`
	IngestEndpoint    string            `json:"ingestEndpoint"`
	IngestServerURL   string            `json:"ingestServerUrl"`
	PlaybackURL       string            `json:"playbackUrl"`
	StreamKeyValue    string            `json:"streamKeyValue"`
	ChannelAssetURLs  map[string]string `json:"channelAssetUrls"`
	TrackingID        string            `json:"trackingId"`
	ChannelResourceID string            `json:"channelResourceId"`
	ChannelID         string            `json:"channelId"`
	StageID           *string           `json:"stageId"` // null when the user has no open stage
	// BlockedWords are the owner's blocked chat words ([] when none).
	BlockedWords         []string             `json:"blockedWords"`
	ChannelConfiguration ChannelConfiguration `json:"channelConfiguration"`
}

// ChannelConfiguration is how the channel was created.
type ChannelConfiguration struct {
	Type string `json:"type"`
}

// IngestServerURL is the URL encoders stream to: RTMPS on port 443 of the
// channel's ingest endpoint. IVS returns endpoints without a port; the
// offline IVS emulator returns "host:port" of its plain-RTMP ingest, which
// becomes an rtmp:// URL on that port.
func IngestServerURL(ingestEndpoint string) string {
	if _, port, err := net.SplitHostPort(ingestEndpoint); err == nil && port != "" {
		return "rtmp://" + ingestEndpoint + "/app/"
	}
	return "rtmps://" + ingestEndpoint + ":443/app/"
}

// AssetURLs returns the URLs of the user's uploaded images by asset type.
func AssetURLs(u onair.User) map[string]string {
	urls := map[string]string{}
	for typ, a := range u.ChannelAssets {
		if a.URL != "" {
			urls[typ] = a.URL
		}
	}
	return urls
}

// View builds the GET /channel response of a provisioned user.
func View(u onair.User) ChannelView {
	v := ChannelView{
		Avatar:               u.Avatar,
		Banner:               u.Banner,
		Color:                u.Color,
		Username:             u.Username,
		IngestEndpoint:       u.IngestEndpoint,
		IngestServerURL:      IngestServerURL(u.IngestEndpoint),
		PlaybackURL:          u.PlaybackURL,
		StreamKeyValue:       u.StreamKeyValue,
		ChannelAssetURLs:     AssetURLs(u),
		TrackingID:           u.TrackingID,
		ChannelResourceID:    u.ChannelID(),
		ChannelID:            u.ChannelID(),
		ChannelConfiguration: ChannelConfiguration{Type: u.ChannelType},
		BlockedWords:         append([]string{}, u.BlockedWords...),
	}
	if u.StageID != "" {
		id := u.StageID
		v.StageID = &id
	}
	return v
}

// GetChannel serves GET /channel: the caller's own profile and channel. A
// user whose channel is not provisioned yet gets 404
// ChannelNotProvisionedException (the reference answered 500); the web app
// then calls POST /channel/resources/create. A missing profile is 404
// UserNotFoundException, which provisioning also repairs. A rename left
// pending by an interrupted request is settled first (settleRename), so the
// name shown is the one the user signs in with; if that cannot be done now,
// the profile is shown as stored and the next call tries again.
func (s *service) GetChannel() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		u, err := s.getUser(r.Context(), c.Sub)
		if err != nil {
			return err
		}
		if u.Rename != nil {
			if settled, err := s.settleRename(r.Context(), c, u); err != nil {
				telemetry.Logger(r.Context()).Warn("rename: could not settle a pending rename", "err", err.Error())
			} else {
				u = settled
			}
		}
		if u.ChannelArn == "" {
			return errNotProvisioned()
		}
		return httpapi.WriteJSON(w, http.StatusOK, View(u))
	})
}

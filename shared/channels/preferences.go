package channels

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/onair/onair/shared/chatreview"
	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/profiles"
)

// Custom names an uploaded image as the avatar or banner.
const Custom = profiles.CustomAvatar

// Asset types: the preferences that can show an uploaded image, and the last
// segment of its key in the assets bucket ("<channelAssetId>/avatar").
const (
	AssetAvatar = "avatar"
	AssetBanner = "banner"
)

// Banners returns the preset banner names. The reference had custom banners
// only; these presets are gradients the web app draws itself (no image files),
// so a profile can have a banner without an upload. An empty banner (the
// default of new profiles) means the web app's plain default.
func Banners() []string {
	return []string{"aurora", "dusk", "ember", "forest", "ocean", "slate"}
}

// MaxPreviewURLLength bounds previewUrl.
const MaxPreviewURLLength = 2048

// clockSkew is how far in the future an upload time may be: the upload time
// is the S3 response's Date, from S3's clock, not ours.
const clockSkew = 5 * time.Minute

// preference is one entry of the request body.
type preference struct {
	Name           *string `json:"name"`
	PreviewURL     *string `json:"previewUrl"`
	UploadDateTime *string `json:"uploadDateTime"`
}

// BlockedWordsKey is the preference holding the owner's blocked chat words:
// a list that replaces the stored one (see chatreview.NormalizeBlockedWords
// for the rules, chatreview for how messages are matched).
const BlockedWordsKey = "blockedWords"

// change is a validated preference.
type change struct {
	key      string
	name     string // "" when only an image preview is sent
	preview  string
	uploaded time.Time
	words    []string // blockedWords
}

func invalid(format string, args ...any) error {
	return onair.Errorf(onair.Invalid, "BadRequestException", format, args...)
}

// UpdatePreferences serves PUT /channel/preferences/update. The body maps a
// preference to its new value, as in the reference:
//
//	{"color":  {"name": "green"}}
//	{"avatar": {"name": "bear"}}                       a preset, or "custom"
//	{"banner": {"name": "ocean"}}                      a preset, or "custom"
//	{"avatar": {"name": "custom", "previewUrl": "<S3 URL of <channelAssetId>/avatar>",
//	            "uploadDateTime": "<the upload response's Date>"}}
//	{"banner": {"previewUrl": "…", "uploadDateTime": "…"}}
//	{"blockedWords": ["darn", "heck no"]}              replaces the list; [] clears it
//
// Every key and value is checked (unknown keys or fields → 400). An image
// preview shows the uploaded image (the name becomes "custom") but replaces
// the stored image URL only if it is newer: the asset processor may already
// have stored the final URL of the same upload, and then the preview is a
// successful no-op (the reference answered 500 there, its §13.15). Answers 200
// with the request body.
func (s *service) UpdatePreferences() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		var raw map[string]json.RawMessage
		if err := httpapi.Decode(r, &raw); err != nil {
			return err
		}
		changes, err := parsePreferences(raw, s.now())
		if err != nil {
			return err
		}
		for _, ch := range changes {
			if ch.key == BlockedWordsKey {
				// Answered as stored (trimmed, without duplicates).
				raw[BlockedWordsKey], _ = json.Marshal(ch.words)
			}
		}
		if err := s.applyPreferences(r.Context(), c.Sub, changes); err != nil {
			return as(err, "ChangeUserPreferencesException", "Could not save your preferences; try again.")
		}
		return httpapi.WriteJSON(w, http.StatusOK, raw)
	})
}

// parsePreferences validates the body without looking at the stored profile.
func parsePreferences(raw map[string]json.RawMessage, now time.Time) ([]change, error) {
	if len(raw) == 0 {
		return nil, invalid("Send at least one preference (color, avatar, banner or blockedWords).")
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic order of checks and messages
	var out []change
	for _, key := range keys {
		if key == BlockedWordsKey {
			ch, err := parseBlockedWords(raw[key])
			if err != nil {
				return nil, err
			}
			out = append(out, ch)
			continue
		}
		var presets []string
		switch key {
		case "color":
			presets = profiles.Colors()
		case AssetAvatar:
			presets = profiles.Avatars()
		case AssetBanner:
			presets = Banners()
		default:
			return nil, invalid("Unknown preference %q; use color, avatar, banner or blockedWords.", key)
		}
		p, err := decodePreference(key, raw[key])
		if err != nil {
			return nil, err
		}
		ch := change{key: key}
		if p.Name != nil {
			ch.name = *p.Name
			ok := slices.Contains(presets, ch.name) || (key != "color" && ch.name == Custom)
			if !ok {
				return nil, invalid("%q is not a valid %s.", ch.name, key)
			}
		}
		hasPreview := p.PreviewURL != nil || p.UploadDateTime != nil
		switch {
		case key == "color" && hasPreview:
			return nil, invalid("color takes only a name.")
		case !hasPreview && p.Name == nil:
			return nil, invalid("%s needs a name or an image preview.", key)
		case hasPreview && (p.PreviewURL == nil || p.UploadDateTime == nil):
			return nil, invalid("%s: previewUrl and uploadDateTime go together.", key)
		case hasPreview && p.Name != nil && ch.name != Custom:
			return nil, invalid("%s: an uploaded image is named %q.", key, Custom)
		}
		if hasPreview {
			ch.name = Custom
			ch.preview = *p.PreviewURL
			if ch.preview == "" || len(ch.preview) > MaxPreviewURLLength {
				return nil, invalid("%s: previewUrl must be a URL of at most %d characters.", key, MaxPreviewURLLength)
			}
			at, err := parseUploadTime(*p.UploadDateTime)
			if err != nil {
				return nil, invalid("%s: uploadDateTime must be an HTTP date or an RFC 3339 time.", key)
			}
			if at.After(now.Add(clockSkew)) {
				return nil, invalid("%s: uploadDateTime is in the future.", key)
			}
			ch.uploaded = at
		}
		out = append(out, ch)
	}
	return out, nil
}

// parseBlockedWords reads the blockedWords preference: a JSON array of
// strings.
func parseBlockedWords(raw json.RawMessage) (change, error) {
	var words []string
	if err := httpapi.DecodeValue(raw, &words, BlockedWordsKey, "BadRequestException"); err != nil {
		return change{}, err
	}
	if words == nil {
		// null is not a list: clearing the words is [].
		return change{}, invalid("Field %q must be an array.", BlockedWordsKey)
	}
	words, err := chatreview.NormalizeBlockedWords(words)
	if err != nil {
		return change{}, invalid("blockedWords: %s.", err.Error())
	}
	return change{key: BlockedWordsKey, words: words}, nil
}

func decodePreference(key string, raw json.RawMessage) (preference, error) {
	var p preference
	err := httpapi.DecodeValue(raw, &p, key, "BadRequestException")
	return p, err
}

// parseUploadTime reads the upload response's Date header (RFC 1123, as S3
// sends it) or an RFC 3339 time.
func parseUploadTime(v string) (time.Time, error) {
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err
}

// previewURL checks that raw is an http(s) URL of the user's own asset
// object ("<channelAssetId>/<type>") in the deployment's assets bucket, and
// returns the URL the server builds from what it verified: scheme, host and
// key, plus a versionId of safe characters. Nothing else of what the client
// sent is kept (no other query, no fragment: a previewUrl once carried
// `"><svg onload=…>` to every viewer), so a profile can only ever show an
// image the user uploaded there, never an image of a server of their
// choosing (which every viewer's browser would then load). Accepted are the
// address the upload form was posted to (AssetUploadURL, which is what S3's
// Location header names; offline, the local endpoint) and the other
// addresses AWS serves the bucket at: virtual-hosted or path-style, global
// or in the stack's region. Hosts are compared whole: a prefix or suffix
// match would accept other buckets ("<ours>.s3.x.s3.amazonaws.com") or
// other domains.
func (c Config) previewURL(raw, assetID, typ string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.Fragment != "" || u.RawFragment != "" || strings.Contains(raw, "#") {
		return "", false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false
	}
	version := q.Get("versionId")
	if len(q) > 1 || (len(q) == 1 && (len(q["versionId"]) != 1 || !validVersionID(version))) {
		return "", false
	}
	key := assetID + "/" + typ
	host := strings.ToLower(u.Host)
	build := func(path string) (string, bool) {
		out := url.URL{Scheme: u.Scheme, Host: host, Path: path}
		if version != "" {
			out.RawQuery = "versionId=" + version
		}
		return out.String(), true
	}
	if c.AssetUploadURL != "" {
		if up, err := url.Parse(c.AssetUploadURL); err == nil && up.Host != "" &&
			u.Scheme == up.Scheme && host == strings.ToLower(up.Host) &&
			u.Path == strings.TrimSuffix(up.Path, "/")+"/"+key {
			return build(u.Path)
		}
	}
	if c.AssetBucket == "" {
		return "", false
	}
	if u.Scheme != "https" || u.Port() != "" {
		return "", false // AWS serves the bucket on the default HTTPS port
	}
	bucket := strings.ToLower(c.AssetBucket)
	var endpoints []string // S3 endpoints of the bucket's region
	endpoints = append(endpoints, "s3.amazonaws.com")
	if r := strings.ToLower(c.Region); r != "" {
		endpoints = append(endpoints, "s3."+r+".amazonaws.com", "s3-"+r+".amazonaws.com", "s3.dualstack."+r+".amazonaws.com")
	}
	for _, ep := range endpoints {
		if host == bucket+"."+ep && u.Path == "/"+key {
			return build(u.Path) // virtual-hosted
		}
		if host == ep && u.Path == "/"+c.AssetBucket+"/"+key {
			return build(u.Path) // path-style
		}
	}
	return "", false
}

// validVersionID: S3 version ids are URL-safe (letters, digits, ".", "_",
// "-"), at most 1,024 characters.
func validVersionID(v string) bool {
	if v == "" || len(v) > 1024 {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (s *service) applyPreferences(ctx context.Context, sub string, changes []change) error {
	_, err := s.Store.UpdateUser(ctx, sub, func(u *onair.User) error {
		changed := false
		set := func(field *string, v string) {
			if *field != v {
				*field, changed = v, true
			}
		}
		for _, ch := range changes {
			if ch.key == BlockedWordsKey {
				if !slices.Equal(u.BlockedWords, ch.words) {
					u.BlockedWords, changed = ch.words, true
				}
				continue
			}
			if ch.preview != "" {
				if u.ChannelAssetID == "" {
					return errNotProvisioned()
				}
				built, ok := s.Config.previewURL(ch.preview, u.ChannelAssetID, ch.key)
				if !ok {
					return invalid("%s: previewUrl is not the URL of your uploaded %s.", ch.key, ch.key)
				}
				a := u.ChannelAssets[ch.key]
				// Only a newer upload replaces the stored image; an older one
				// still selects the (newer) uploaded image below.
				if a.LastModified.Before(ch.uploaded) {
					a.URL, a.LastModified = built, ch.uploaded
					if u.ChannelAssets == nil {
						u.ChannelAssets = map[string]onair.Asset{}
					}
					u.ChannelAssets[ch.key] = a
					changed = true
				}
			} else if ch.name == Custom && u.ChannelAssets[ch.key].URL == "" {
				return invalid("Upload an image for your %s before choosing it.", ch.key)
			}
			switch ch.key {
			case "color":
				set(&u.Color, ch.name)
			case AssetAvatar:
				set(&u.Avatar, ch.name)
			case AssetBanner:
				set(&u.Banner, ch.name)
			}
		}
		if !changed {
			return onair.ErrUnchanged
		}
		return nil
	})
	if errors.Is(err, onair.ErrNotFound) && onair.ErrorType(err) != ChannelNotProvisionedType {
		return errUserNotFound()
	}
	return err
}

// Package webheaders defines the web app's security headers once. The
// deployed stack serves them from a CloudFront response-headers policy in
// template.yaml (this package's test checks that policy against Cloud), and
// the offline stack's web server sets them itself (Offline), so the browser
// tests run under the same Content-Security-Policy as production.
package webheaders

import (
	"net/http"
	"strconv"
	"strings"
)

// The headers that do not depend on where the app is served.
const (
	// HSTSMaxAge is two years, in seconds (the policy's AccessControlMaxAgeSec).
	HSTSMaxAge = 63072000
	// ReferrerPolicy sends other origins only our origin, never a path
	// (channel pages, reset codes in /login?code=...).
	ReferrerPolicy = "strict-origin-when-cross-origin"
	// FrameOptions backs frame-ancestors 'none' for browsers without CSP 2.
	FrameOptions = "DENY"
	// PermissionsPolicy lets the app itself use the camera, microphone and
	// screen capture (stream manager, stages) and nobody else, not even a
	// frame; features the app never uses are off.
	PermissionsPolicy = "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()"
)

// HSTS is the Strict-Transport-Security value.
func HSTS() string { return "max-age=" + strconv.Itoa(HSTSMaxAge) + "; includeSubDomains" }

// Sources are what the app loads or connects to besides its own origin,
// each a CSP source expression ("https://host", "wss://*.example").
type Sources struct {
	// Secure is true when the app is served over HTTPS: HSTS and
	// upgrade-insecure-requests apply (browsers ignore HSTS over HTTP).
	Secure bool
	// API is the HTTP API (connect-src).
	API []string
	// Auth is Cognito's user pool API (connect-src).
	Auth []string
	// Chat is the IVS Chat WebSocket (connect-src).
	Chat []string
	// Media is IVS playback and ingest: the player's playlists and segments,
	// the broadcast and stage SDKs' WebRTC signalling (connect-src,
	// media-src).
	Media []string
	// Images serve the channel avatars and banners (img-src). Any https:
	// image is allowed besides: streamers' product overlays show an image
	// from a URL of their choice (docs/overlays.md), Amazon's for
	// amazon_product.
	Images []string
	// Uploads receive the presigned POST of a new image (connect-src).
	Uploads []string
	// ReportURI, when set, receives violation reports (report-uri).
	ReportURI string
}

// Cloud returns the sources of a deployed stack. Arguments may be
// CloudFormation Sub variables ("${AWS::Region}"), which is how the
// template's policy is written and checked.
//
// The API is named by its regional execute-api wildcard, not its id:
// template.yaml explains the dependency cycle a reference would close. The
// deployed index.html narrows it with a meta policy (ConnectPolicy with the
// API's origin; local/webpublish).
// IVS hosts playback and ingest under per-channel names of live-video.net.
func Cloud(region, urlSuffix, imagesDomain, assetsBucket string) Sources {
	aws := func(scheme, host string) string { return scheme + "://" + host + "." + region + "." + urlSuffix }
	return Sources{
		Secure:  true,
		API:     []string{aws("https", "*.execute-api")},
		Auth:    []string{aws("https", "cognito-idp")},
		Chat:    []string{aws("wss", "edge.ivschat")},
		Media:   []string{"https://*.live-video.net", "wss://*.live-video.net"},
		Images:  []string{"https://" + imagesDomain},
		Uploads: []string{aws("https", assetsBucket+".s3")},
	}
}

// Offline returns the sources of the offline stack served at webURL: the
// API, the AWS endpoint (Cognito, chat over ws:, images and uploads,
// path-style) and the media plane's origins (playback, WHIP), all on this
// machine.
func Offline(webURL, apiURL, awsURL string, media []string, reportURI string) Sources {
	return Sources{
		Secure:    strings.HasPrefix(webURL, "https://"),
		API:       []string{apiURL},
		Auth:      []string{awsURL},
		Chat:      []string{"ws" + strings.TrimPrefix(awsURL, "http")},
		Media:     media,
		Images:    []string{awsURL},
		Uploads:   []string{awsURL},
		ReportURI: reportURI,
	}
}

// IsPage reports whether a request path is a page of the single-page app,
// answered with /index.html: its last segment has no extension (/, /alice,
// /login). Anything else is a file, and a missing file is a 404, never the
// app. Usernames have no dots (shared/usernames), so channel pages are pages.
// template.yaml's CloudFront function (WebAppRouting) applies the same rule.
func IsPage(path string) bool {
	return !strings.Contains(path[strings.LastIndex(path, "/")+1:], ".")
}

// Directive is one CSP directive.
type Directive struct {
	Name    string
	Sources []string
}

// Directives returns the policy, directive by directive, in a fixed order.
// Scripts come only from the app's origin: no inline script, no eval;
// 'wasm-unsafe-eval' compiles the IVS player's WebAssembly, whose workers
// start from blob: URLs (as do hls.js's offline).
func (s Sources) Directives() []Directive {
	join := func(lists ...[]string) []string {
		var out []string
		seen := map[string]bool{}
		for _, l := range lists {
			for _, v := range l {
				if v != "" && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
		return out
	}
	self := []string{"'self'"}
	d := []Directive{
		{"default-src", self},
		{"script-src", join(self, []string{"'wasm-unsafe-eval'"})},
		{"style-src", self},
		{"img-src", join(self, []string{"data:", "blob:", "https:"}, s.Images)},
		{"media-src", join(self, []string{"blob:"}, httpOnly(s.Media))},
		{"connect-src", join(self, s.API, s.Auth, s.Chat, s.Media, s.Uploads)},
		{"worker-src", join(self, []string{"blob:"})},
		{"font-src", self},
		{"manifest-src", self},
		{"object-src", []string{"'none'"}},
		{"base-uri", self},
		{"form-action", self},
		{"frame-ancestors", []string{"'none'"}},
	}
	if s.Secure {
		d = append(d, Directive{Name: "upgrade-insecure-requests"})
	}
	if s.ReportURI != "" {
		d = append(d, Directive{"report-uri", []string{s.ReportURI}})
	}
	return d
}

// httpOnly drops WebSocket sources (media elements never load from one).
func httpOnly(sources []string) []string {
	var out []string
	for _, v := range sources {
		if !strings.HasPrefix(v, "ws://") && !strings.HasPrefix(v, "wss://") {
			out = append(out, v)
		}
	}
	return out
}

// CSP is the Content-Security-Policy value.
func (s Sources) CSP() string {
	var parts []string
	for _, d := range s.Directives() {
		parts = append(parts, d.String())
	}
	return strings.Join(parts, "; ")
}

// String is the directive as written in a policy.
func (d Directive) String() string {
	return strings.TrimSpace(d.Name + " " + strings.Join(d.Sources, " "))
}

// ConnectPolicy is a policy of connect-src alone, for a <meta> in the
// deployed index.html that names the stack's API exactly: the header policy
// can only name it by the regional wildcard (see Cloud), and a browser
// enforces both policies, so connections go to this API and no other.
func (s Sources) ConnectPolicy() string {
	for _, d := range s.Directives() {
		if d.Name == "connect-src" {
			return d.String()
		}
	}
	return ""
}

// Headers returns every security header of the app.
func (s Sources) Headers() http.Header {
	h := http.Header{}
	h.Set("Content-Security-Policy", s.CSP())
	if s.Secure {
		h.Set("Strict-Transport-Security", HSTS())
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", FrameOptions)
	h.Set("Referrer-Policy", ReferrerPolicy)
	h.Set("Permissions-Policy", PermissionsPolicy)
	return h
}

// Handler sets the headers on every response of next.
func (s Sources) Handler(next http.Handler) http.Handler {
	headers := s.Headers()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header()[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

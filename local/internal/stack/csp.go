package stack

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/onair/onair/shared/webheaders"
)

// CSPReportPath receives the browser's Content-Security-Policy violation
// reports (the offline policy's report-uri); GET CSPReportsPath lists them,
// which is how the browser tests fail on any violation.
const (
	CSPReportPath  = "/_local/csp-report"
	CSPReportsPath = "/_local/csp-reports"
)

// webSources is what the offline web app may load and connect to: the same
// policy as CloudFront's (shared/webheaders), with this machine's
// endpoints. Playback (/hls) is served by the AWS endpoint; stage media
// (WHIP, WHEP and the presence socket) by the SFU's listener; browser
// broadcasts go to the WebRTC ingest's.
// The official web broadcast SDK also fetches its device configuration and
// posts its telemetry to IVS's own hosts whatever the ingest endpoint, as
// the cloud policy allows; offline those requests fail quietly instead of
// being refused, so the policy is the cloud's for them too (IVSSDKHosts).
func (s *Stack) webSources() webheaders.Sources {
	return webheaders.Offline(s.WebURL, s.APIURL, s.AWSURL, s.mediaSources(), CSPReportPath)
}

// mediaSources are the media plane's origins for the web app's policy.
func (s *Stack) mediaSources() []string {
	return []string{s.AWSURL, s.SFUURL, "wss://" + strings.TrimPrefix(s.SFUURL, "https://"),
		// The web broadcast's WebRTC ingest (/v1/offer, WHIP): HTTPS requests.
		s.webrtcURL(), IVSSDKHosts}
}

// IVSSDKHosts are the IVS hosts the official SDKs call on their own.
const IVSSDKHosts = "https://*.live-video.net"

// cspReports keeps the violation reports the browser sent (the newest
// maxCSPReports) and logs each.
type cspReports struct {
	log  *slog.Logger
	mu   sync.Mutex
	list []json.RawMessage
}

const maxCSPReports = 200

func (c *cspReports) register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+CSPReportPath, c.receive)
	mux.HandleFunc("GET "+CSPReportsPath, c.serve)
}

// receive stores one report: {"csp-report": {...}} as application/csp-report.
func (c *cspReports) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || !json.Valid(body) {
		http.Error(w, "a CSP report is JSON", http.StatusBadRequest)
		return
	}
	c.log.Warn("Content-Security-Policy violation", "report", string(body))
	c.mu.Lock()
	c.list = append(c.list, json.RawMessage(body))
	if len(c.list) > maxCSPReports {
		c.list = c.list[len(c.list)-maxCSPReports:]
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (c *cspReports) serve(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	list := append([]json.RawMessage{}, c.list...)
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

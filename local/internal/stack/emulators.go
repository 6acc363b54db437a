package stack

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/onair/onair/local/internal/chatws"
	"github.com/onair/onair/local/internal/cognitoidp"
	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/host"
	"github.com/onair/onair/local/internal/ivsemu"
	"github.com/onair/onair/local/internal/lambdaapi"
	"github.com/onair/onair/local/internal/media"
	"github.com/onair/onair/local/internal/secretsemu"
	"github.com/onair/onair/local/internal/streamsim"
	"github.com/onair/onair/local/internal/webapp"
	"github.com/onair/onair/shared/samtemplate"
)

// chatPath is where the IVS Chat messaging WebSocket is served on the AWS
// endpoint; the web app passes ws://<aws>/chat to the chat SDK.
const chatPath = chatws.Path

// invoker adapts the host to the emulators' Invoker contracts, turning the
// host's errors into the Lambda API's.
type invoker struct{ h *host.Host }

func (i invoker) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	out, err := i.h.Invoke(ctx, fn, payload)
	var unknown host.ErrUnknownFunction
	var ferr *host.FunctionError
	switch {
	case errors.As(err, &unknown):
		return nil, fmt.Errorf("%w: %s", lambdaapi.ErrFunctionNotFound, fn)
	case errors.As(err, &ferr):
		return nil, &lambdaapi.FunctionError{Message: ferr.Message, Type: ferr.Type}
	}
	return out, err
}

// arnInvoker invokes functions named by ARN (rooms' message review
// handlers): the template's ARN of a function the host runs (the stack's
// placeholder ARNs, "function:<stack>-<LogicalId>"), or a bare name.
type arnInvoker struct {
	inv   invoker
	byArn map[string]string // ARN → logical id
}

func (a arnInvoker) Invoke(ctx context.Context, arn string, payload []byte) ([]byte, error) {
	name, ok := a.byArn[arn]
	if !ok {
		name = lambdaapi.FunctionName(arn)
	}
	return a.inv.Invoke(ctx, name, payload)
}

func (s *Stack) startEmulators(ctx context.Context, r samtemplate.Resolver) error {
	inv := invoker{s.host}
	var err error

	// Cognito: the pool and client of the template; triggers run the
	// template's functions.
	functionByArn := map[string]string{}
	for _, name := range s.tmpl.FunctionNames() {
		functionByArn[r.Attrs[name+".Arn"]] = name
	}
	ccfg, err := cognitoConfig(s.tmpl, r, functionByArn)
	if err != nil {
		return err
	}
	ccfg.DataDir = s.opts.DataDir
	ccfg.Region = s.opts.Region
	ccfg.PoolID = s.PoolID
	ccfg.ClientID = s.ClientID
	ccfg.IssuerBaseURL = s.AWSURL
	ccfg.Invoker = inv
	ccfg.OnMail = s.printMail
	ccfg.Logger = s.log.With("component", "cognito")
	ccfg.Now = s.opts.Now
	if s.cognito, err = cognitoidp.New(ccfg); err != nil {
		return err
	}
	s.closers = append(s.closers, s.cognito.Close)

	rs, err := rules(s.tmpl, s.deployed())
	if err != nil {
		return err
	}
	if s.bus, err = eventbus.New(eventbus.Config{
		Account: s.opts.Account, Region: s.opts.Region, Rules: rs, Invoker: inv,
		Now: s.opts.Now, Logger: s.log.With("component", "events"),
	}); err != nil {
		return err
	}
	s.closers = append(s.closers, func() error { s.bus.Close(); return nil })

	s.lambda = lambdaapi.New(lambdaapi.Config{Invoker: inv, Exists: s.host.Has, Account: s.opts.Account,
		Region: s.opts.Region, Logger: s.log.With("component", "lambda")})
	s.closers = append(s.closers, func() error { s.lambda.Close(); return nil })

	s.chat = chatws.New(chatws.Config{Now: s.opts.Now, Logger: s.log.With("component", "chat"),
		Review: arnInvoker{inv: inv, byArn: functionByArn}})
	s.closers = append(s.closers, func() error { s.chat.Close(); return nil })

	if s.ivs, err = ivsemu.New(ivsemu.Config{
		DataDir: s.opts.DataDir, Account: s.opts.Account, Region: s.opts.Region,
		Endpoints: ivsemu.Endpoints{
			IngestEndpoint:  s.rtmpLn.Addr().String(),
			PlaybackBaseURL: s.AWSURL + "/hls",
			// Stage media is the SFU: tokens' whip_url / events_url point at it.
			StageEvents: strings.Replace(s.SFUURL, "https://", "wss://", 1),
			StageWHIP:   s.SFUURL,
		},
		Now: s.opts.Now, Logger: s.log.With("component", "ivs"), Events: s.bus, Chat: s.chat,
		OnParticipantDisconnected: s.sfuDisconnect, OnStageDeleted: s.sfuStageDeleted,
	}); err != nil {
		return err
	}
	s.closers = append(s.closers, s.ivs.Close)
	if err := s.startSFU(ctx); err != nil {
		return err
	}

	// The stream simulation is the channels' media side until a media plane
	// exists: it drives the IVS lifecycle, events and metrics.
	s.sim = streamsim.New(streamsim.Config{IVS: s.ivs, Events: s.bus, Now: s.opts.Now, Logger: s.log.With("component", "simulation")})
	if err := s.sim.Resume(ctx); err != nil {
		return fmt.Errorf("resume simulated streams: %w", err)
	}

	// The media plane: real RTMP/WebRTC ingest and HLS playback. StopStream
	// and stream-key deletion reach it first; channels it does not carry
	// are the simulation's.
	ffmpeg := s.opts.FFmpeg
	if ffmpeg == "" {
		ffmpeg = "ffmpeg"
	}
	s.media = media.New(media.Config{IVS: s.ivs, Events: s.bus, Logger: s.log.With("component", "media"),
		Now: s.opts.Now, FFmpeg: ffmpeg})
	s.ivs.SetIngestHandler(ingestRouter{media: s.media, sim: s.sim})
	s.closers = append(s.closers, func() error { s.media.Close(); return nil })
	s.rtmp = s.media.ServeRTMP(s.rtmpLn)
	s.closers = append(s.closers, s.rtmp.Close)
	// RTMPS: the same server behind TLS with the stack's certificate (IVS
	// ingests RTMPS on 443; OBS and ffmpeg take rtmps:// URLs).
	s.rtmps = s.media.ServeRTMP(tls.NewListener(s.rtmpsLn, s.Cert.TLSConfig()))
	s.closers = append(s.closers, s.rtmps.Close)
	rtc, err := s.media.WebRTCHandler()
	if err != nil {
		return err
	}
	tlsLn := tls.NewListener(s.rtcLn, s.Cert.TLSConfig())
	s.serve(tlsLn, rtc)
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.sim.Run(ctx) }()
	go func() { defer s.wg.Done(); s.chat.Run(ctx) }()
	return nil
}

// serveIngest tells a local encoder (make stream) where to push for a
// channel ({channel}: username or channel ARN): JSON {channelArn, rtmpUrl,
// rtmpsUrl, streamKey, playbackUrl}, or with ?field=<name> that field as plain text.
// The stream key is a secret in the cloud; offline the whole stack is the
// developer's, like the mailbox.
func (s *Stack) serveIngest(w http.ResponseWriter, r *http.Request) {
	arn, err := s.channelOf(r.Context(), r.PathValue("channel"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	ch, err := s.ivs.Channel(r.Context(), arn)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	key, err := s.ivs.ChannelStreamKey(r.Context(), arn)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	out := map[string]string{"channelArn": arn, "streamKey": key.Value, "playbackUrl": ch.PlaybackURL,
		"rtmpUrl": "rtmp://" + ch.IngestEndpoint + "/app/" + key.Value, "rtmpsUrl": "rtmps://" + s.rtmpsLn.Addr().String() + "/app/" + key.Value}
	if f := r.URL.Query().Get("field"); f != "" {
		v, ok := out[f]
		if !ok {
			http.Error(w, "unknown field "+f, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, v+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// ingestRouter is the media side of ivsemu's channels: the media plane for
// the broadcasts it carries, the simulation for the others.
type ingestRouter struct {
	media *media.Plane
	sim   *streamsim.Sim
}

func (r ingestRouter) StopStream(ctx context.Context, channelArn string) error {
	if r.media.Live(channelArn) {
		err := r.media.StopStream(ctx, channelArn)
		if !errors.Is(err, media.ErrNotLive) {
			return err
		}
	}
	return r.sim.StopStream(ctx, channelArn)
}

func (r ingestRouter) StreamKeyRevoked(ctx context.Context, channelArn string) {
	r.media.StreamKeyRevoked(ctx, channelArn)
}

// channelOf resolves a username (or a channel ARN) to the channel ARN, for
// the simulation's routes.
func (s *Stack) channelOf(ctx context.Context, username string) (string, error) {
	if strings.HasPrefix(username, "arn:") {
		return username, nil
	}
	u, err := s.store.GetUserByUsername(ctx, username)
	if err != nil {
		return "", fmt.Errorf("no user %q: %w", username, err)
	}
	if u.ChannelArn == "" {
		return "", fmt.Errorf("%s has no channel yet (sign in once to provision it)", username)
	}
	return u.ChannelArn, nil
}

func (s *Stack) printMail(m cognitoidp.Mail) {
	fmt.Fprintf(s.opts.Out, "\n📧 mail to %s — %s\n%s\n   (GET %s/_local/mail?to=%s)\n\n", m.To, m.Subject, indent(textOf(m.Body)), s.AWSURL, m.To)
}

// awsHandler is the AWS-compatible endpoint: one port for every emulated
// service, dispatched the way the services' wire protocols distinguish
// themselves (X-Amz-Target prefixes, REST paths).
func (s *Stack) awsHandler() http.Handler {
	ivs := s.ivs.Handler()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/config", s.serveConfig)
	mux.Handle("GET /_local/mail", s.cognito.MailHandler())
	mux.Handle(lambdaapi.Pattern, s.lambda)
	mux.Handle("GET "+chatws.Path, s.chat.Handler(s.ivs))
	mux.Handle(streamsim.PathPrefix, s.sim.Handler(s.channelOf))
	mux.Handle(media.PlaybackPrefix, s.media.Handler())
	mux.HandleFunc("GET /_local/ingest/{channel}", s.serveIngest)
	mux.Handle("/", ivs)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		switch {
		case s.cognito.Match(r):
			s.cognito.ServeHTTP(w, r)
		case strings.HasPrefix(target, "AWSEvents."):
			s.bus.Handler().ServeHTTP(w, r)
		case strings.HasPrefix(target, secretsemu.Target):
			s.secrets.ServeHTTP(w, r)
		case s.s3.Match(r):
			s.s3.Handler().ServeHTTP(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
	})
}

// webHandler serves the built web app (single-page: unknown paths get
// index.html), /config.json for it and /_local/config for other clients
// (the same document); see package webapp for the caching rules. Every
// response carries the deployed app's security headers with this machine's
// endpoints (csp.go), and violation reports land in s.csp.
func (s *Stack) webHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/config", s.serveConfig)
	s.csp.register(mux)
	mux.Handle("/", webapp.New(webapp.Options{
		Dir:      s.opts.WebDir,
		Config:   func() any { return s.Config() },
		NotBuilt: http.HandlerFunc(s.serveInfoPage),
	}))
	return s.webSources().Handler(mux)
}

func (s *Stack) serveInfoPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>onair (offline)</title>
<body>
<h1>onair is running offline</h1>
<p>The web app is not built in this checkout (no <code>web-ui/dist</code>). Everything else is up:</p>
<ul>
<li>HTTP API: <a href="%[1]s/channels?isLive=true">%[1]s</a></li>
<li>AWS endpoint (Cognito, IVS, IVS Chat, IVS Real-Time, EventBridge, Lambda, Secrets Manager): %[2]s</li>
<li>Configuration for clients: <a href="%[2]s/_local/config">%[2]s/_local/config</a></li>
<li>Mailbox: <a href="%[2]s/_local/mail">%[2]s/_local/mail</a></li>
</ul>
<p>See <code>docs/local.md</code>.</p></body>`, s.APIURL, s.AWSURL)
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "   " + l
	}
	return strings.Join(lines, "\n")
}

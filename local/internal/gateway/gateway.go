// Package gateway emulates an API Gateway HTTP API with a JWT authorizer in
// front of onair's functions: it turns each HTTP request into the payload v2
// event API Gateway would send, authorizes it as the JWT authorizer would,
// invokes the route's function as Lambda would (JSON in, JSON out) and turns
// the function's response back into HTTP. Routes come from template.yaml.
package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Route is one HTTP API route.
type Route struct {
	Method   string // GET, POST, … or ANY
	Path     string // /channels/{username}
	Function string // logical id of the target function
	// Authorize is true when the route uses the API's JWT authorizer.
	Authorize bool
}

// Invoker runs a function with a JSON payload, as Lambda's Invoke does.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Authorizer verifies a bearer token and returns its claims, as the JWT
// authorizer does (issuer, audience/client id, expiry, signature).
type Authorizer interface {
	Claims(ctx context.Context, token string) (map[string]string, error)
}

// Config configures the gateway.
type Config struct {
	Routes     []Route
	Invoker    Invoker
	Authorizer Authorizer
	// AllowedOrigins is the CORS allow-list ("*" allows any origin).
	AllowedOrigins []string
	AccountID      string
	APIID          string
	Logger         *slog.Logger
	Now            func() time.Time
}

// Gateway is an http.Handler.
type Gateway struct {
	cfg Config
	mux *http.ServeMux
	seq func() string
}

var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)(\+?)\}`)

// New returns a gateway serving cfg.Routes.
func New(cfg Config) (*Gateway, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.APIID == "" {
		cfg.APIID = "local"
	}
	g := &Gateway{cfg: cfg, mux: http.NewServeMux(), seq: newRequestIDs()}
	for _, r := range cfg.Routes {
		pattern := pathParam.ReplaceAllStringFunc(r.Path, func(m string) string {
			sm := pathParam.FindStringSubmatch(m)
			if sm[2] == "+" {
				return "{" + sm[1] + "...}"
			}
			return m
		})
		method := strings.ToUpper(r.Method)
		if method == "ANY" || method == "" {
			method = ""
		} else {
			method += " "
		}
		route := r
		if err := registerSafely(g.mux, method+pattern, func(w http.ResponseWriter, req *http.Request) { g.serveRoute(w, req, route) }); err != nil {
			return nil, fmt.Errorf("route %s %s: %w", r.Method, r.Path, err)
		}
	}
	return g, nil
}

func registerSafely(mux *http.ServeMux, pattern string, h http.HandlerFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.HandleFunc(pattern, h)
	return nil
}

func newRequestIDs() func() string {
	var n atomic.Uint64
	start := strconv.FormatInt(time.Now().UnixNano(), 36)
	return func() string { return start + "-" + strconv.FormatUint(n.Add(1), 36) }
}

// ServeHTTP handles CORS, routing and the proxy integration.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	allowed := g.allowOrigin(origin)
	if allowed != "" {
		w.Header().Set("Access-Control-Allow-Origin", allowed)
		w.Header().Add("Vary", "Origin")
	}
	// API Gateway answers CORS preflight itself when CORS is configured.
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		if allowed != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE,OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization,Content-Type")
			w.Header().Set("Access-Control-Max-Age", "600")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if _, pattern := g.mux.Handler(r); pattern == "" {
		writeMessage(w, http.StatusNotFound, "Not Found")
		g.log(r, "", http.StatusNotFound, 0)
		return
	}
	g.mux.ServeHTTP(w, r)
}

func (g *Gateway) allowOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range g.cfg.AllowedOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return origin
		}
	}
	return ""
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (g *Gateway) log(r *http.Request, fn string, status int, d time.Duration) {
	target := fn
	if target == "" {
		target = "-"
	}
	g.cfg.Logger.Info(fmt.Sprintf("%s %s → %s %d %s", r.Method, r.URL.Path, target, status, d.Round(time.Millisecond)))
}

func (g *Gateway) serveRoute(w http.ResponseWriter, r *http.Request, route Route) {
	start := time.Now()
	status := g.proxy(w, r, route)
	g.log(r, route.Function, status, time.Since(start))
}

func (g *Gateway) proxy(w http.ResponseWriter, r *http.Request, route Route) int {
	ctx := r.Context()
	now := g.cfg.Now()
	var claims map[string]string
	if route.Authorize {
		token := r.Header.Get("Authorization")
		if strings.TrimSpace(token) == "" || g.cfg.Authorizer == nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request" error_description="no token"`)
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return http.StatusUnauthorized
		}
		c, err := g.cfg.Authorizer.Claims(ctx, token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return http.StatusUnauthorized
		}
		claims = c
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return http.StatusBadRequest
	}
	if len(body) > 10<<20 {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return http.StatusRequestEntityTooLarge
	}
	event := g.event(r, route, claims, body, now)
	payload, err := json.Marshal(event)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return http.StatusInternalServerError
	}
	out, err := g.cfg.Invoker.Invoke(ctx, route.Function, payload)
	if err != nil {
		g.cfg.Logger.Error("function failed", "function", route.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return http.StatusInternalServerError
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		g.cfg.Logger.Error("malformed function response", "function", route.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return http.StatusInternalServerError
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	respBody := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if b, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			respBody = b
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
	return resp.StatusCode
}

// event builds the HTTP API payload v2 API Gateway sends for r.
func (g *Gateway) event(r *http.Request, route Route, claims map[string]string, body []byte, now time.Time) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	params := map[string]string{}
	for _, m := range pathParam.FindAllStringSubmatch(route.Path, -1) {
		if v := r.PathValue(m[1]); v != "" {
			params[m[1]] = v
		}
	}
	routeKey := strings.ToUpper(route.Method) + " " + route.Path
	if strings.EqualFold(route.Method, "ANY") {
		routeKey = "ANY " + route.Path
	}
	reqID := g.seq()
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: nilIfEmpty(query),
		PathParameters:        nilIfEmpty(params),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    g.cfg.AccountID,
			Stage:        "$default",
			RequestID:    reqID,
			APIID:        g.cfg.APIID,
			DomainName:   r.Host,
			DomainPrefix: strings.Split(r.Host, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: claims,
				Scopes: strings.Fields(claims["scope"]),
			},
		}
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

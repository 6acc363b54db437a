// Package creatorsapi is the adapter to Amazon's Creators API, the product
// catalog of the Amazon Associates program, which replaced the Product
// Advertising API 5.0 (PA-API 5.0 lost its Offers V1 prices on 2026-01-31
// and is being retired). It implements products.Catalog.
//
// What the adapter speaks, and where that comes from (docs/products.md has
// the same list): Amazon's reference pages for the Creators API
// (affiliate-program.amazon.com/creatorsapi/docs) are behind the Associates
// login, so the wire format below was taken from Amazon's own SDK sources
// (the creatorsapi PHP SDK's OAuth2TokenManager, Apache-2.0, Amazon.com) and
// from independent clients that agree with each other (python-amazon-paapi's
// amazon_creatorsapi, AmazonCreatorsAPISwiftSDK, AffiliateX):
//
//   - Credentials are per region: a credential id, a secret and a version.
//     Versions 2.1/2.2/2.3 (North America/Europe/Far East) get tokens from
//     Amazon Cognito (https://creatorsapi.auth.<aws-region>.amazoncognito.com/oauth2/token,
//     scope "creatorsapi/default"); versions 3.1/3.2/3.3, issued since
//     February 2026, from Login with Amazon (https://api.amazon.{com,co.uk,co.jp}/auth/o2/token,
//     scope "creatorsapi::default").
//   - The token request is the OAuth 2.0 client-credentials grant, sent as
//     application/x-www-form-urlencoded with client_id and client_secret in
//     the body (RFC 6749 §2.3.1; Amazon's SDK does so for both families). The
//     answer is {"access_token", "token_type", "expires_in"}.
//   - Searches are POST https://creatorsapi.amazon/catalog/v1/searchItems with
//     "Authorization: Bearer <token>" (version 2.x appends ", Version <v>"),
//     "x-marketplace: www.amazon.com", and a camelCase JSON body: keywords,
//     searchIndex, itemCount (≤ 10), itemPage (1–10), sortBy, partnerTag,
//     marketplace, availability, languagesOfPreference, resources.
//   - The answer is {"searchResult": {"totalResultCount", "items": [{"asin",
//     "detailPageURL", "images": {"primary": {"small"|"medium"|"large":
//     {"url", "height", "width"}}}, "itemInfo": {"title": {"displayValue"}},
//     "offersV2": {"listings": [{"price": {"money": {"displayAmount"}},
//     "merchantInfo": {"id", "name"}}]}}]}, "errors": [...]}; PA-API 5's
//     PascalCase names in camelCase, with OffersV2 in place of Offers.
//   - Errors are HTTP statuses: 401 (token expired or refused), 403 (no
//     access, e.g. AssociateNotEligible), 400 (invalid request), 404 (no
//     results, as PA-API's NoResults), 429 (rate limit: 1 request per second
//     to start, more with sales), 5xx.
//
// Assumed where the sources say nothing: that the token's expires_in is in
// seconds (3600 when missing), that a search without results may also be a
// 200 with an "errors" entry of code NoResults, and that merchantInfo keeps
// PA-API OffersV2's {id, name}. Anything else in the answer is ignored;
// items that do not decode are left out rather than failing the search.
package creatorsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/products"
	"github.com/onair/onair/shared/telemetry"
)

// DefaultAPIBase is the Creators API's host, the same for every marketplace.
const DefaultAPIBase = "https://creatorsapi.amazon"

// SearchPath is the SearchItems operation.
const SearchPath = "/catalog/v1/searchItems"

// tokenEndpoints are the OAuth token endpoints by credential version.
var tokenEndpoints = map[string]string{
	"2.1": "https://creatorsapi.auth.us-east-1.amazoncognito.com/oauth2/token",
	"2.2": "https://creatorsapi.auth.eu-south-2.amazoncognito.com/oauth2/token",
	"2.3": "https://creatorsapi.auth.us-west-2.amazoncognito.com/oauth2/token",
	"3.1": "https://api.amazon.com/auth/o2/token",
	"3.2": "https://api.amazon.co.uk/auth/o2/token",
	"3.3": "https://api.amazon.co.jp/auth/o2/token",
}

// searchResources are what a result item needs: the overlay's images,
// title, price and seller.
var searchResources = []string{
	"images.primary.small",
	"images.primary.medium",
	"images.primary.large",
	"itemInfo.title",
	"offersV2.listings.price",
	"offersV2.listings.merchantInfo",
}

// Credentials are the contents of the product API secret
// (PRODUCT_API_SECRET_ARN), as JSON with these keys.
type Credentials struct {
	CredentialID      string `json:"credentialId"`
	CredentialSecret  string `json:"credentialSecret"`
	CredentialVersion string `json:"credentialVersion"`
	// PartnerTag is the Associates store id that requests are made for
	// (each product link is then re-tagged with the streamer's tracking id).
	PartnerTag string `json:"partnerTag"`
}

// missing names the empty keys.
func (c Credentials) missing() []string {
	var out []string
	for _, kv := range [][2]string{{"credentialId", c.CredentialID}, {"credentialSecret", c.CredentialSecret},
		{"credentialVersion", c.CredentialVersion}, {"partnerTag", c.PartnerTag}} {
		if strings.TrimSpace(kv[1]) == "" {
			out = append(out, kv[0])
		}
	}
	return out
}

func (c Credentials) cognito() bool { return strings.HasPrefix(c.CredentialVersion, "2.") }

func (c Credentials) scope() string {
	if c.cognito() {
		return "creatorsapi/default"
	}
	return "creatorsapi::default"
}

// authorization is the Authorization header of API calls.
func (c Credentials) authorization(token string) string {
	if c.cognito() {
		return "Bearer " + token + ", Version " + c.CredentialVersion
	}
	return "Bearer " + token
}

// Secrets reads the credentials' secret (shared/secrets).
type Secrets interface {
	Get(ctx context.Context, id string) (string, error)
	// Refresh reads the secret again, bypassing any cache.
	Refresh(ctx context.Context, id string) (string, error)
}

// Config configures a Client.
type Config struct {
	// SecretID is the secret holding the Credentials (PRODUCT_API_SECRET_ARN).
	SecretID string
	Secrets  Secrets
	// Locale selects the marketplace (PRODUCT_API_LOCALE).
	Locale string
	// HTTP is the client for Amazon (a 10 s timeout when nil).
	HTTP *http.Client
	// APIBase replaces DefaultAPIBase, and TokenURL the credential version's
	// token endpoint (tests, or if Amazon moves them).
	APIBase  string
	TokenURL string
	Now      func() time.Time
	Logger   *slog.Logger
}

// Client searches the catalog. It caches the credentials and the access
// token (until a minute before it expires) for the life of the execution
// environment; it is safe for concurrent use.
type Client struct {
	cfg    Config
	market Marketplace

	mu          sync.Mutex
	creds       *Credentials
	readAt      time.Time // last read of the secret
	readErr     error     // why the last read gave no credentials
	token       string
	tokenFor    string // the credential id the token was issued to
	tokenExpiry time.Time
}

// New returns a client.
func New(cfg Config) *Client {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m, known := MarketplaceFor(cfg.Locale)
	if !known && cfg.Locale != "" && cfg.Logger != nil {
		cfg.Logger.Warn("unknown PRODUCT_API_LOCALE, searching the United States store", "locale", cfg.Locale)
	}
	return &Client{cfg: cfg, market: m}
}

// Marketplace is the store searched.
func (c *Client) Marketplace() Marketplace { return c.market }

// Timing of credential and token reuse.
const (
	// refreshEvery bounds re-reading an incomplete or refused secret.
	refreshEvery = time.Minute
	// tokenMargin: a token is replaced this long before it expires, so a
	// request never starts with a token about to lapse.
	tokenMargin = time.Minute
)

func errNotConfigured(detail string) error {
	return onair.Wrap(onair.Unavailable, "ServiceUnavailableException",
		"Product search is not set up yet: the operator must fill in the product API secret.", errors.New(detail))
}

func errUnavailable(cause error) error {
	return onair.Wrap(onair.Unavailable, "ServiceUnavailableException", "Product search is unavailable right now; try again later.", cause)
}

func errThrottled(cause error) error {
	return onair.Wrap(onair.Throttled, "TooManyRequestsException", "Too many product searches; try again in a moment.", cause)
}

// credentials returns the credentials, reading the secret on first use.
// Later reads, when the secret was incomplete (the template creates it as
// {}) or the credentials were refused (the operator may have rotated them),
// bypass the secrets cache, at most once a minute.
func (c *Client) credentials(ctx context.Context, reread bool) (Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.creds != nil && !reread {
		return *c.creds, nil
	}
	now := c.cfg.Now()
	read := c.cfg.Secrets.Get
	if !c.readAt.IsZero() {
		if now.Sub(c.readAt) < refreshEvery {
			if c.creds != nil {
				return *c.creds, nil
			}
			return Credentials{}, c.readErr
		}
		read = c.cfg.Secrets.Refresh
	}
	c.readAt = now
	raw, err := read(ctx, c.cfg.SecretID)
	if err != nil {
		c.readErr = fmt.Errorf("product API secret: %w", err)
		return Credentials{}, c.readErr
	}
	var cr Credentials
	switch err := json.Unmarshal([]byte(raw), &cr); {
	case err != nil:
		c.readErr = errNotConfigured("product API secret is not a JSON object")
	case len(cr.missing()) > 0:
		c.readErr = errNotConfigured("product API secret lacks " + strings.Join(cr.missing(), ", "))
	case tokenEndpoints[cr.CredentialVersion] == "" && c.cfg.TokenURL == "":
		c.readErr = errNotConfigured("unknown credentialVersion " + cr.CredentialVersion)
	default:
		c.readErr = nil
	}
	if c.readErr != nil {
		return Credentials{}, c.readErr
	}
	if region := Region(cr.CredentialVersion[len(cr.CredentialVersion)-1:]); region != c.market.Region && c.cfg.Logger != nil {
		c.cfg.Logger.Warn("product API credentials are for another region than the marketplace",
			"credentialVersion", cr.CredentialVersion, "marketplace", c.market.Host)
	}
	c.creds = &cr
	return cr, nil
}

// accessToken returns a token for cr, from the cache unless it is about to
// expire or force is set (the API refused it).
func (c *Client) accessToken(ctx context.Context, cr Credentials, force bool) (string, error) {
	c.mu.Lock()
	if !force && c.token != "" && c.tokenFor == cr.CredentialID && c.cfg.Now().Before(c.tokenExpiry) {
		t := c.token
		c.mu.Unlock()
		return t, nil
	}
	c.mu.Unlock()

	endpoint := c.cfg.TokenURL
	if endpoint == "" {
		endpoint = tokenEndpoints[cr.CredentialVersion]
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {cr.CredentialID},
		"client_secret": {cr.CredentialSecret},
		"scope":         {cr.scope()},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	issued := c.cfg.Now()
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return "", errUnavailable(fmt.Errorf("token request: %w", err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", errThrottled(fmt.Errorf("token request: %s", resp.Status))
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized:
		// invalid_client: wrong or revoked credentials.
		return "", errRefused{fmt.Errorf("token request: %s: %s", resp.Status, oauthError(body))}
	case resp.StatusCode != http.StatusOK:
		return "", errUnavailable(fmt.Errorf("token request: %s", resp.Status))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", errUnavailable(errors.New("token request: answer without access_token"))
	}
	lifetime := time.Duration(tok.ExpiresIn) * time.Second
	if tok.ExpiresIn <= 0 {
		lifetime = time.Hour
	}
	margin := min(tokenMargin, lifetime/2)
	c.mu.Lock()
	c.token, c.tokenFor, c.tokenExpiry = tok.AccessToken, cr.CredentialID, issued.Add(lifetime-margin)
	c.mu.Unlock()
	return tok.AccessToken, nil
}

// errRefused is a token request refused for the credentials.
type errRefused struct{ error }

func (e errRefused) Unwrap() error { return e.error }

func oauthError(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return strings.TrimSpace(e.Error + " " + e.Description)
	}
	return "no error description"
}

func (c *Client) forgetToken() {
	c.mu.Lock()
	c.token = ""
	c.mu.Unlock()
}

// SearchItems runs one search. A token the API refuses is replaced once; a
// token request refused for the credentials re-reads the secret once (the
// operator may have rotated them).
func (c *Client) SearchItems(ctx context.Context, q products.Query) (products.Page, error) {
	cr, err := c.credentials(ctx, false)
	if err != nil {
		return products.Page{}, err
	}
	token, err := c.accessToken(ctx, cr, false)
	var refused errRefused
	if errors.As(err, &refused) {
		if cr, err = c.credentials(ctx, true); err == nil {
			token, err = c.accessToken(ctx, cr, true)
		}
	}
	if errors.As(err, &refused) {
		return products.Page{}, errUnavailable(err)
	}
	if err != nil {
		return products.Page{}, err
	}
	for attempt := 0; ; attempt++ {
		page, status, err := c.search(ctx, cr, token, q)
		if status != http.StatusUnauthorized || attempt > 0 {
			return page, err
		}
		// The token expired early or was revoked: get a new one, once.
		c.forgetToken()
		if token, err = c.accessToken(ctx, cr, true); err != nil {
			if errors.As(err, &refused) {
				return products.Page{}, errUnavailable(err)
			}
			return products.Page{}, err
		}
	}
}

type searchRequest struct {
	Keywords              string   `json:"keywords"`
	SearchIndex           string   `json:"searchIndex"`
	ItemCount             int      `json:"itemCount"`
	ItemPage              int      `json:"itemPage"`
	SortBy                string   `json:"sortBy,omitempty"`
	PartnerTag            string   `json:"partnerTag"`
	Marketplace           string   `json:"marketplace"`
	Availability          string   `json:"availability"`
	LanguagesOfPreference []string `json:"languagesOfPreference,omitempty"`
	Resources             []string `json:"resources"`
}

// search makes one SearchItems call and returns its HTTP status too.
func (c *Client) search(ctx context.Context, cr Credentials, token string, q products.Query) (products.Page, int, error) {
	sr := searchRequest{
		Keywords: q.Keywords, SearchIndex: "All", ItemCount: products.PageSize, ItemPage: max(q.Page, 1),
		SortBy: q.Sort, PartnerTag: cr.PartnerTag, Marketplace: c.market.Host, Availability: "Available",
		Resources: searchResources,
	}
	if q.Language != "" {
		sr.LanguagesOfPreference = []string{q.Language}
	}
	payload, err := json.Marshal(sr)
	if err != nil {
		return products.Page{}, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.cfg.APIBase, "/")+SearchPath, bytes.NewReader(payload))
	if err != nil {
		return products.Page{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", cr.authorization(token))
	req.Header.Set("x-marketplace", c.market.Host)
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return products.Page{}, 0, errUnavailable(fmt.Errorf("searchItems: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return products.Page{}, resp.StatusCode, errUnavailable(fmt.Errorf("searchItems: read: %w", err))
	}
	cause := fmt.Errorf("searchItems: %s: %s", resp.Status, apiError(body))
	switch {
	case resp.StatusCode == http.StatusOK:
		return c.parse(ctx, body), resp.StatusCode, nil
	case resp.StatusCode == http.StatusNotFound:
		return products.Page{Items: []products.Item{}}, resp.StatusCode, nil // no results
	case resp.StatusCode == http.StatusTooManyRequests:
		return products.Page{}, resp.StatusCode, errThrottled(cause)
	case resp.StatusCode == http.StatusBadRequest:
		return products.Page{}, resp.StatusCode, onair.Wrap(onair.Invalid, "BadRequestException",
			"Amazon refused this search; try other keywords.", cause)
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden, resp.StatusCode >= 500:
		return products.Page{}, resp.StatusCode, errUnavailable(cause)
	}
	return products.Page{}, resp.StatusCode, onair.Wrap(onair.Internal, "", "", cause)
}

// apiError summarizes an error answer for the log.
func apiError(body []byte) string {
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Reason  string `json:"reason"`
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "unreadable error body"
	}
	if len(e.Errors) > 0 {
		return e.Errors[0].Code + ": " + e.Errors[0].Message
	}
	if e.Reason == "" && e.Type == "" && e.Message == "" {
		return ""
	}
	return strings.TrimSpace(strings.TrimSpace(e.Reason+" "+e.Type) + ": " + e.Message)
}

// The answer's shape, as far as it is used.
type image struct {
	URL    string `json:"url"`
	Height int    `json:"height"`
	Width  int    `json:"width"`
}

type item struct {
	ASIN          string `json:"asin"`
	DetailPageURL string `json:"detailPageURL"`
	Images        struct {
		Primary struct {
			Small  *image `json:"small"`
			Medium *image `json:"medium"`
			Large  *image `json:"large"`
		} `json:"primary"`
	} `json:"images"`
	ItemInfo struct {
		Title struct {
			DisplayValue string `json:"displayValue"`
		} `json:"title"`
	} `json:"itemInfo"`
	OffersV2 struct {
		Listings []struct {
			Price struct {
				Money struct {
					DisplayAmount string `json:"displayAmount"`
				} `json:"money"`
			} `json:"price"`
			MerchantInfo struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"merchantInfo"`
		} `json:"listings"`
	} `json:"offersV2"`
}

// parse reads a 200 answer. Malformed data never fails the search: an
// unreadable answer is an empty page, an unreadable item is left out.
func (c *Client) parse(ctx context.Context, body []byte) products.Page {
	log := c.cfg.Logger
	if log == nil {
		log = telemetry.Logger(ctx)
	}
	var answer struct {
		SearchResult *struct {
			TotalResultCount int               `json:"totalResultCount"`
			Items            []json.RawMessage `json:"items"`
		} `json:"searchResult"`
	}
	page := products.Page{Items: []products.Item{}}
	if err := json.Unmarshal(body, &answer); err != nil {
		log.Warn("product search: unreadable answer", "err", err.Error())
		return page
	}
	if answer.SearchResult == nil {
		// No results come as 404, or as 200 with only "errors" (NoResults).
		if msg := apiError(body); msg != "" && !strings.HasPrefix(msg, "NoResults") {
			log.Warn("product search: answer without searchResult", "errors", msg)
		}
		return page
	}
	page.Total = max(answer.SearchResult.TotalResultCount, 0)
	for _, raw := range answer.SearchResult.Items {
		var it item
		if err := json.Unmarshal(raw, &it); err != nil {
			log.Warn("product search: unreadable item", "err", err.Error())
			continue
		}
		page.Items = append(page.Items, it.product())
	}
	return page
}

func (it item) product() products.Item {
	p := products.Item{
		ASIN: it.ASIN, Title: it.ItemInfo.Title.DisplayValue, DetailPageURL: it.DetailPageURL,
		Large: it.Images.Primary.Large.image(), Medium: it.Images.Primary.Medium.image(), Small: it.Images.Primary.Small.image(),
	}
	// The first listing is the featured offer; take the first with a price.
	for _, l := range it.OffersV2.Listings {
		if l.Price.Money.DisplayAmount != "" {
			p.Price = l.Price.Money.DisplayAmount
			p.MerchantID, p.MerchantName = l.MerchantInfo.ID, l.MerchantInfo.Name
			break
		}
	}
	return p
}

func (i *image) image() *products.Image {
	if i == nil || i.URL == "" {
		return nil
	}
	return &products.Image{URL: i.URL, Height: i.Height, Width: i.Width}
}

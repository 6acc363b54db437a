package creatorsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/clocktest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/products"
)

// searchAnswer is a SearchItems answer in the Creators API's format.
const searchAnswer = `{
  "searchResult": {
    "totalResultCount": 312,
    "searchURL": "https://www.amazon.com/s?k=wireless+earbuds&tag=operator-20",
    "items": [
      {
        "asin": "B0EXAMPLE1",
        "detailPageURL": "https://www.amazon.com/dp/B0EXAMPLE1?tag=operator-20&linkCode=ogi&th=1&psc=1",
        "images": {"primary": {
          "small":  {"url": "https://m.media-amazon.com/images/I/41a._SL75_.jpg", "height": 75, "width": 60},
          "medium": {"url": "https://m.media-amazon.com/images/I/41a._SL160_.jpg", "height": 160, "width": 128},
          "large":  {"url": "https://m.media-amazon.com/images/I/41a._SL500_.jpg", "height": 500, "width": 400}}},
        "itemInfo": {"title": {"displayValue": "Wireless Earbuds, Bluetooth 5.3", "label": "Title", "locale": "en_US"}},
        "offersV2": {"listings": [
          {"price": {"money": {"amount": 19.99, "currency": "USD", "displayAmount": "$19.99"}},
           "merchantInfo": {"id": "ATVPDKIKX0DER", "name": "Amazon.com"}}]}
      },
      {
        "asin": "B0EXAMPLE2",
        "detailPageURL": "https://www.amazon.com/dp/B0EXAMPLE2?tag=operator-20",
        "images": {"primary": {"large": {"url": "https://m.media-amazon.com/images/I/52b._SL500_.jpg", "height": 500, "width": 500}}},
        "itemInfo": {"title": {"displayValue": "Charging Case"}},
        "offersV2": {"listings": [{"price": {}}, {"price": {"money": {"displayAmount": "$7.50"}}, "merchantInfo": {"name": "Case Shop"}}]}
      }
    ]
  }
}`

// fakeAmazon speaks the token endpoint and SearchItems.
type fakeAmazon struct {
	t  *testing.T
	mu sync.Mutex
	// search answers SearchItems (after the token check); nil: searchAnswer.
	search      func(n int, w http.ResponseWriter)
	tokenStatus []int // statuses of successive token requests (200 when exhausted)
	expiresIn   int
	// credentials the token endpoint accepts
	clientID, secret, scope string

	tokens      int // issued
	tokenCalls  int
	searchCalls int
	lastAuth    string
	lastMarket  string
	lastBody    map[string]any
}

func (f *fakeAmazon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/auth/o2/token":
		f.tokenCalls++
		assert.Equal(f.t, http.MethodPost, r.Method)
		assert.Equal(f.t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		require.NoError(f.t, r.ParseForm())
		status := http.StatusOK
		if len(f.tokenStatus) > 0 {
			status, f.tokenStatus = f.tokenStatus[0], f.tokenStatus[1:]
		}
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != f.clientID ||
			r.PostForm.Get("client_secret") != f.secret || r.PostForm.Get("scope") != f.scope {
			status = http.StatusUnauthorized
		}
		if status != http.StatusOK {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
			return
		}
		f.tokens++
		_, _ = fmt.Fprintf(w, `{"access_token":"Atc|tok-%d","token_type":"bearer","expires_in":%d}`, f.tokens, f.expiresIn)
	case SearchPath:
		f.searchCalls++
		f.lastAuth, f.lastMarket = r.Header.Get("Authorization"), r.Header.Get("x-marketplace")
		f.lastBody = nil
		require.NoError(f.t, json.NewDecoder(r.Body).Decode(&f.lastBody))
		if !strings.HasPrefix(f.lastAuth, fmt.Sprintf("Bearer Atc|tok-%d", f.tokens)) || f.tokens == 0 {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"Unauthorized","message":"expired token"}]}`)
			return
		}
		if f.search != nil {
			f.search(f.searchCalls, w)
			return
		}
		_, _ = io.WriteString(w, searchAnswer)
	default:
		http.NotFound(w, r)
	}
}

// fakeSecrets holds the credentials' secret.
type fakeSecrets struct {
	mu              sync.Mutex
	value           string
	gets, refreshes int
	failWith        error
}

func (s *fakeSecrets) Get(ctx context.Context, id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	return s.value, s.failWith
}

func (s *fakeSecrets) Refresh(ctx context.Context, id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	return s.value, s.failWith
}

func (s *fakeSecrets) set(v string) {
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
}

const lwaCreds = `{"credentialId":"amzn1.application-oa2-client.abc","credentialSecret":"amzn1.oa2-cs.v1.s3cret","credentialVersion":"3.1","partnerTag":"operator-20"}`

type fixture struct {
	amazon  *fakeAmazon
	secrets *fakeSecrets
	clock   *clocktest.Clock
	client  *Client
}

func newFixture(t *testing.T, locale, secret string) *fixture {
	t.Helper()
	f := &fixture{
		amazon: &fakeAmazon{t: t, expiresIn: 3600, clientID: "amzn1.application-oa2-client.abc", secret: "amzn1.oa2-cs.v1.s3cret",
			scope: "creatorsapi::default"},
		secrets: &fakeSecrets{value: secret},
		clock:   clocktest.New(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)),
	}
	srv := httptest.NewServer(f.amazon)
	t.Cleanup(srv.Close)
	f.client = New(Config{SecretID: "arn:aws:secretsmanager:us-east-1:111122223333:secret:products", Secrets: f.secrets,
		Locale: locale, HTTP: srv.Client(), APIBase: srv.URL, TokenURL: srv.URL + "/auth/o2/token", Now: f.clock.Now})
	return f
}

var earbuds = products.Query{Keywords: "wireless earbuds", Sort: "Price:LowToHigh", Page: 2, Language: "en_US"}

func TestSearchItems(t *testing.T) {
	f := newFixture(t, "United States", lwaCreds)
	page, err := f.client.SearchItems(context.Background(), earbuds)
	require.NoError(t, err)
	assert.Equal(t, products.Page{Total: 312, Items: []products.Item{
		{ASIN: "B0EXAMPLE1", Title: "Wireless Earbuds, Bluetooth 5.3",
			DetailPageURL: "https://www.amazon.com/dp/B0EXAMPLE1?tag=operator-20&linkCode=ogi&th=1&psc=1",
			Small:         &products.Image{URL: "https://m.media-amazon.com/images/I/41a._SL75_.jpg", Height: 75, Width: 60},
			Medium:        &products.Image{URL: "https://m.media-amazon.com/images/I/41a._SL160_.jpg", Height: 160, Width: 128},
			Large:         &products.Image{URL: "https://m.media-amazon.com/images/I/41a._SL500_.jpg", Height: 500, Width: 400},
			Price:         "$19.99", MerchantID: "ATVPDKIKX0DER", MerchantName: "Amazon.com"},
		{ASIN: "B0EXAMPLE2", Title: "Charging Case", DetailPageURL: "https://www.amazon.com/dp/B0EXAMPLE2?tag=operator-20",
			Large: &products.Image{URL: "https://m.media-amazon.com/images/I/52b._SL500_.jpg", Height: 500, Width: 500},
			Price: "$7.50", MerchantName: "Case Shop"},
	}}, page)

	assert.Equal(t, "Bearer Atc|tok-1", f.amazon.lastAuth, "LwA (3.x) tokens go alone")
	assert.Equal(t, "www.amazon.com", f.amazon.lastMarket)
	assert.Equal(t, map[string]any{
		"keywords": "wireless earbuds", "searchIndex": "All", "itemCount": float64(10), "itemPage": float64(2),
		"sortBy": "Price:LowToHigh", "partnerTag": "operator-20", "marketplace": "www.amazon.com",
		"availability": "Available", "languagesOfPreference": []any{"en_US"},
		"resources": []any{"images.primary.small", "images.primary.medium", "images.primary.large",
			"itemInfo.title", "offersV2.listings.price", "offersV2.listings.merchantInfo"},
	}, f.amazon.lastBody)
}

func TestCognitoCredentialsAndMarketplace(t *testing.T) {
	f := newFixture(t, "Japan", `{"credentialId":"7abc","credentialSecret":"s3","credentialVersion":"2.3","partnerTag":"jp-22"}`)
	f.amazon.clientID, f.amazon.secret, f.amazon.scope = "7abc", "s3", "creatorsapi/default"
	_, err := f.client.SearchItems(context.Background(), products.Query{Keywords: "lamp", Sort: "Relevance", Page: 1})
	require.NoError(t, err)
	assert.Equal(t, "Bearer Atc|tok-1, Version 2.3", f.amazon.lastAuth, "Cognito (2.x) tokens carry the version")
	assert.Equal(t, "www.amazon.co.jp", f.amazon.lastMarket)
	assert.Equal(t, "www.amazon.co.jp", f.amazon.lastBody["marketplace"])
	assert.NotContains(t, f.amazon.lastBody, "languagesOfPreference")
}

func TestTheTokenIsCachedUntilShortlyBeforeExpiry(t *testing.T) {
	f := newFixture(t, "", lwaCreds)
	f.amazon.expiresIn = 3600
	ctx := context.Background()
	for range 3 {
		_, err := f.client.SearchItems(ctx, earbuds)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, f.amazon.tokenCalls)
	f.clock.Advance(58 * time.Minute)
	_, err := f.client.SearchItems(ctx, earbuds)
	require.NoError(t, err)
	assert.Equal(t, 1, f.amazon.tokenCalls, "still valid for more than the margin")
	f.clock.Advance(time.Minute + time.Second)
	_, err = f.client.SearchItems(ctx, earbuds)
	require.NoError(t, err)
	assert.Equal(t, 2, f.amazon.tokenCalls, "replaced a minute before it expires")
	assert.Equal(t, "Bearer Atc|tok-2", f.amazon.lastAuth)
	assert.Equal(t, 1, f.secrets.gets, "the secret is read once")
	assert.Zero(t, f.secrets.refreshes)
}

func TestA401RefreshesTheTokenOnce(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		f := newFixture(t, "", lwaCreds)
		ctx := context.Background()
		_, err := f.client.SearchItems(ctx, earbuds)
		require.NoError(t, err)
		f.amazon.mu.Lock()
		f.amazon.tokens = 7 // Amazon no longer accepts tok-1 (revoked, or expired early)
		f.amazon.mu.Unlock()
		page, err := f.client.SearchItems(ctx, earbuds)
		require.NoError(t, err)
		assert.Len(t, page.Items, 2)
		assert.Equal(t, 2, f.amazon.tokenCalls)
		assert.Equal(t, 3, f.amazon.searchCalls, "one search, one retry")
	})
	t.Run("gives up after one retry", func(t *testing.T) {
		f := newFixture(t, "", lwaCreds)
		f.amazon.search = func(n int, w http.ResponseWriter) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"Unauthorized","message":"no"}]}`)
		}
		_, err := f.client.SearchItems(context.Background(), earbuds)
		require.Error(t, err)
		assert.Equal(t, onair.Unavailable, onair.ErrorCode(err))
		assert.Equal(t, 2, f.amazon.searchCalls)
		assert.Equal(t, 2, f.amazon.tokenCalls)
	})
}

func TestThrottling(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		f := newFixture(t, "", lwaCreds)
		f.amazon.search = func(n int, w http.ResponseWriter) {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"errors":[{"code":"TooManyRequests","message":"The request was denied due to request throttling."}]}`)
		}
		_, err := f.client.SearchItems(context.Background(), earbuds)
		assert.Equal(t, onair.Throttled, onair.ErrorCode(err))
		assert.Equal(t, "TooManyRequestsException", onair.ErrorType(err))
		assert.Equal(t, 1, f.amazon.searchCalls, "no retry: the caller is told to slow down")
	})
	t.Run("token", func(t *testing.T) {
		f := newFixture(t, "", lwaCreds)
		f.amazon.tokenStatus = []int{http.StatusTooManyRequests}
		_, err := f.client.SearchItems(context.Background(), earbuds)
		assert.Equal(t, "TooManyRequestsException", onair.ErrorType(err))
		assert.Zero(t, f.amazon.searchCalls)
	})
}

func TestErrorStatuses(t *testing.T) {
	cases := []struct {
		status int
		code   onair.Code
	}{
		{http.StatusBadRequest, onair.Invalid},
		{http.StatusForbidden, onair.Unavailable}, // AssociateNotEligible and the like
		{http.StatusInternalServerError, onair.Unavailable},
		{http.StatusServiceUnavailable, onair.Unavailable},
		{http.StatusConflict, onair.Internal},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			f := newFixture(t, "", lwaCreds)
			f.amazon.search = func(n int, w http.ResponseWriter) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, `{"reason":"AssociateNotEligible","message":"secret detail"}`)
			}
			_, err := f.client.SearchItems(context.Background(), earbuds)
			assert.Equal(t, tc.code, onair.ErrorCode(err))
			assert.NotContains(t, onair.ErrorMessage(err), "secret detail", "Amazon's text stays in the log")
		})
	}
	t.Run("network", func(t *testing.T) {
		f := newFixture(t, "", lwaCreds)
		f.client.cfg.APIBase = "http://127.0.0.1:9"
		_, err := f.client.SearchItems(context.Background(), earbuds)
		assert.Equal(t, onair.Unavailable, onair.ErrorCode(err))
	})
}

func TestNoResults(t *testing.T) {
	answers := map[string]func(w http.ResponseWriter){
		"404": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errors":[{"code":"NoResults","message":"We did not find any matches for your request."}]}`)
		},
		"200 with NoResults": func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"errors":[{"code":"NoResults","message":"We did not find any matches for your request."}]}`)
		},
		"empty result": func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"searchResult":{"totalResultCount":0,"items":[]}}`)
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "", lwaCreds)
			f.amazon.search = func(n int, w http.ResponseWriter) { answer(w) }
			page, err := f.client.SearchItems(context.Background(), earbuds)
			require.NoError(t, err)
			assert.Equal(t, products.Page{Items: []products.Item{}}, page)
		})
	}
}

func TestMalformedAnswersGiveEmptyItems(t *testing.T) {
	cases := map[string]struct {
		body  string
		total int
		asins []string
	}{
		"not JSON":              {`<html>oops</html>`, 0, nil},
		"truncated":             {searchAnswer[:200], 0, nil},
		"items not a list":      {`{"searchResult":{"totalResultCount":3,"items":{"asin":"B0"}}}`, 0, nil},
		"count not a number":    {`{"searchResult":{"totalResultCount":"many","items":[]}}`, 0, nil},
		"searchResult a string": {`{"searchResult":"none"}`, 0, nil},
		"bad items left out": {`{"searchResult":{"totalResultCount":3,"items":[
			{"asin":"B01","images":{"primary":{"large":{"url":"https://i/1.jpg","height":"tall"}}}},
			"B02",
			{"asin":"B03","itemInfo":{"title":{"displayValue":"ok"}},"detailPageURL":"https://www.amazon.com/dp/B03"},
			{"asin":"B04","offersV2":{"listings":{"price":1}}}]}}`, 3, []string{"B03"}},
		"negative count": {`{"searchResult":{"totalResultCount":-5,"items":[]}}`, 0, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "", lwaCreds)
			f.amazon.search = func(n int, w http.ResponseWriter) { _, _ = io.WriteString(w, tc.body) }
			page, err := f.client.SearchItems(context.Background(), earbuds)
			require.NoError(t, err)
			assert.Equal(t, tc.total, page.Total)
			var asins []string
			for _, it := range page.Items {
				asins = append(asins, it.ASIN)
			}
			assert.Equal(t, tc.asins, asins)
			assert.NotNil(t, page.Items)
		})
	}
}

func TestTheSecretFilledInLater(t *testing.T) {
	f := newFixture(t, "", `{}`)
	ctx := context.Background()
	_, err := f.client.SearchItems(ctx, earbuds)
	assert.Equal(t, onair.Unavailable, onair.ErrorCode(err))
	assert.Contains(t, onair.ErrorMessage(err), "product API secret")
	assert.Zero(t, f.amazon.tokenCalls)

	f.secrets.set(lwaCreds)
	_, err = f.client.SearchItems(ctx, earbuds)
	assert.Error(t, err, "re-read at most once a minute")
	assert.Equal(t, 1, f.secrets.gets+f.secrets.refreshes)

	f.clock.Advance(61 * time.Second)
	_, err = f.client.SearchItems(ctx, earbuds)
	require.NoError(t, err)
	assert.Equal(t, 1, f.secrets.refreshes, "read past the secrets cache")
}

func TestIncompleteSecrets(t *testing.T) {
	for name, secret := range map[string]string{
		"not JSON":        `credentials`,
		"missing secret":  `{"credentialId":"a","credentialVersion":"3.1","partnerTag":"t-20"}`,
		"blank tag":       `{"credentialId":"a","credentialSecret":"b","credentialVersion":"3.1","partnerTag":"  "}`,
		"unknown version": `{"credentialId":"a","credentialSecret":"b","credentialVersion":"4.1","partnerTag":"t-20"}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "", secret)
			f.client.cfg.TokenURL = "" // the version's own endpoint
			_, err := f.client.SearchItems(context.Background(), earbuds)
			assert.Equal(t, onair.Unavailable, onair.ErrorCode(err))
			assert.Equal(t, "ServiceUnavailableException", onair.ErrorType(err))
		})
	}
	t.Run("secret unreadable", func(t *testing.T) {
		f := newFixture(t, "", lwaCreds)
		f.secrets.failWith = onair.Wrap(onair.Internal, "", "", assert.AnError)
		_, err := f.client.SearchItems(context.Background(), earbuds)
		assert.ErrorIs(t, err, assert.AnError)
	})
}

func TestRefusedCredentialsAreReadAgain(t *testing.T) {
	f := newFixture(t, "", `{"credentialId":"old","credentialSecret":"revoked","credentialVersion":"3.1","partnerTag":"operator-20"}`)
	ctx := context.Background()
	_, err := f.client.SearchItems(ctx, earbuds)
	assert.Equal(t, onair.Unavailable, onair.ErrorCode(err), "refused credentials")

	f.secrets.set(lwaCreds) // the operator rotates them
	f.clock.Advance(2 * time.Minute)
	page, err := f.client.SearchItems(ctx, earbuds)
	require.NoError(t, err)
	assert.Len(t, page.Items, 2)
	assert.Equal(t, 1, f.secrets.refreshes)
}

func TestMarketplaces(t *testing.T) {
	assert.Len(t, Locales(), 21, "the reference's locale map")
	cases := []struct {
		locale, host string
		region       Region
		known        bool
	}{
		{"United States", "www.amazon.com", NorthAmerica, true},
		{"United Kingdom", "www.amazon.co.uk", Europe, true},
		{"Japan", "www.amazon.co.jp", FarEast, true},
		{"India", "www.amazon.in", Europe, true},
		{"Brazil", "www.amazon.com.br", NorthAmerica, true},
		{"", "www.amazon.com", NorthAmerica, false},
		{"Atlantis", "www.amazon.com", NorthAmerica, false},
		{"united states", "www.amazon.com", NorthAmerica, false},
	}
	for _, tc := range cases {
		m, known := MarketplaceFor(tc.locale)
		assert.Equal(t, tc.known, known, tc.locale)
		assert.Equal(t, tc.host, m.Host, tc.locale)
		assert.Equal(t, tc.region, m.Region, tc.locale)
	}
}

// Through the domain service: every link is the caller's, not the operator's.
func TestSearchProductsTagsLinksWithTheTrackingID(t *testing.T) {
	f := newFixture(t, "", lwaCreds)
	svc := &products.Service{Store: bolttest.New(t, onair.User{Sub: "sub-1", TrackingID: "ch1abcdef-20"}), Catalog: f.client}
	req := httptest.NewRequest(http.MethodGet, "/products/wireless%20earbuds?page=2", nil)
	req = req.WithContext(onair.WithCaller(req.Context(), onair.Caller{Sub: "sub-1"}))
	rec := httptest.NewRecorder()
	svc.SearchProducts().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var resp products.Response
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	assert.Equal(t, 312, resp.SearchCount)
	assert.Equal(t, "wireless earbuds", resp.Keyword)
	require.Len(t, resp.Items, 2)
	for _, it := range resp.Items {
		u, err := url.Parse(it.ProductURL)
		require.NoError(t, err)
		assert.Equal(t, []string{"ch1abcdef-20"}, u.Query()["tag"], it.ProductURL)
	}
	assert.Equal(t, "operator-20", f.amazon.lastBody["partnerTag"], "requests are made for the operator's store")
	assert.Equal(t, "$19.99", resp.Items[0].Price.DisplayAmount)
	assert.Equal(t, "Amazon.com", resp.Items[0].MerchantInfo.Name)
}

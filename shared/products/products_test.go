package products

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/bolt/bolttest"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/overlays"
)

type fakeCatalog struct {
	page    Page
	err     error
	queries []Query
}

func (f *fakeCatalog) SearchItems(_ context.Context, q Query) (Page, error) {
	f.queries = append(f.queries, q)
	return f.page, f.err
}

var streamer = onair.User{Sub: "sub-1", Username: "streamer", TrackingID: "ch1abcdef-20"}

func newService(t *testing.T, page Page, err error) (*Service, *fakeCatalog) {
	cat := &fakeCatalog{page: page, err: err}
	return &Service{Store: bolttest.New(t, streamer, onair.User{Sub: "sub-2"}), Catalog: cat}, cat
}

func get(t *testing.T, s *Service, sub, target string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if sub != "" {
		req = req.WithContext(onair.WithCaller(req.Context(), onair.Caller{Sub: sub}))
	}
	rec := httptest.NewRecorder()
	s.SearchProducts().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func img(u string) *Image { return &Image{URL: u, Height: 500, Width: 400} }

var earbuds = Item{
	ASIN: "B0EXAMPLE1", Title: "Wireless Earbuds",
	DetailPageURL: "https://www.amazon.com/dp/B0EXAMPLE1?tag=operator-20&linkCode=ogi&th=1&psc=1",
	Large:         img("https://m.media-amazon.com/images/I/41a-L.jpg"),
	Medium:        &Image{URL: "https://m.media-amazon.com/images/I/41a-M.jpg", Height: 160, Width: 128},
	Small:         &Image{URL: "https://m.media-amazon.com/images/I/41a-S.jpg", Height: 75, Width: 60},
	Price:         "$19.99", MerchantID: "ATVPDKIKX0DER", MerchantName: "Amazon.com",
}

func TestSearchProducts(t *testing.T) {
	noOffer := Item{ASIN: "B0EXAMPLE2", Title: "Charging Case", DetailPageURL: "https://www.amazon.com/dp/B0EXAMPLE2",
		Large: img("https://m.media-amazon.com/images/I/52b-L.jpg")}
	s, cat := newService(t, Page{Total: 312, Items: []Item{earbuds, noOffer}}, nil)
	status, body := get(t, s, streamer.Sub, "/products/wireless%20earbuds?sort=Price:LowToHigh&page=2&language=en_US&origin=input")
	require.Equal(t, http.StatusOK, status, body)
	assert.JSONEq(t, `{
		"searchCount": 312,
		"keyword": "wireless earbuds",
		"items": [
			{"images": {"large": {"url": "https://m.media-amazon.com/images/I/41a-L.jpg", "height": 500, "width": 400},
			            "medium": {"url": "https://m.media-amazon.com/images/I/41a-M.jpg", "height": 160, "width": 128},
			            "small": {"url": "https://m.media-amazon.com/images/I/41a-S.jpg", "height": 75, "width": 60}},
			 "title": "Wireless Earbuds",
			 "price": {"displayAmount": "$19.99"},
			 "productURL": "https://www.amazon.com/dp/B0EXAMPLE1?linkCode=ogi&psc=1&tag=ch1abcdef-20&th=1",
			 "merchantInfo": {"id": "ATVPDKIKX0DER", "name": "Amazon.com"}},
			{"images": {"large": {"url": "https://m.media-amazon.com/images/I/52b-L.jpg", "height": 500, "width": 400}},
			 "title": "Charging Case",
			 "productURL": "https://www.amazon.com/dp/B0EXAMPLE2?tag=ch1abcdef-20"}
		]}`, body)
	assert.Equal(t, []Query{{Keywords: "wireless earbuds", Sort: "Price:LowToHigh", Page: 2, Language: "en_US"}}, cat.queries)
}

func TestSearchProductsDefaultsAndLimits(t *testing.T) {
	cases := []struct {
		target string
		want   Query
	}{
		{"/products/lamp", Query{Keywords: "lamp", Sort: "Relevance", Page: 1}},
		{"/products/%20desk%20lamp%20", Query{Keywords: "desk lamp", Sort: "Relevance", Page: 1}},
		{"/products/caf%C3%A9?page=10&sort=Featured", Query{Keywords: "café", Sort: "Featured", Page: 10}},
		{"/products/" + strings.Repeat("é", MaxKeywordsLength), Query{Keywords: strings.Repeat("é", MaxKeywordsLength), Sort: "Relevance", Page: 1}},
		{"/products/a%2Bb%3Fc", Query{Keywords: "a+b?c", Sort: "Relevance", Page: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			s, cat := newService(t, Page{}, nil)
			status, body := get(t, s, streamer.Sub, tc.target)
			require.Equal(t, http.StatusOK, status, body)
			assert.JSONEq(t, `{"searchCount":0,"items":[],"keyword":`+jsonString(tc.want.Keywords)+`}`, body)
			assert.Equal(t, []Query{tc.want}, cat.queries)
		})
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestSearchProductsRefusals(t *testing.T) {
	cases := []struct {
		name, sub, target string
		status            int
		typ               string
	}{
		{"anonymous", "", "/products/lamp", 401, "UnauthorizedException"},
		{"no keywords", streamer.Sub, "/products/", 400, "BadRequestException"},
		{"blank keywords", streamer.Sub, "/products/%20%20", 400, "BadRequestException"},
		{"151 characters", streamer.Sub, "/products/" + strings.Repeat("a", MaxKeywordsLength+1), 400, "BadRequestException"},
		{"control characters", streamer.Sub, "/products/a%00b", 400, "BadRequestException"},
		{"invalid UTF-8", streamer.Sub, "/products/a%ffb", 400, "BadRequestException"},
		{"sort not offered", streamer.Sub, "/products/lamp?sort=AvgCustomerReviews", 400, "BadRequestException"},
		{"sort case", streamer.Sub, "/products/lamp?sort=relevance", 400, "BadRequestException"},
		{"page 0", streamer.Sub, "/products/lamp?page=0", 400, "BadRequestException"},
		{"page 11", streamer.Sub, "/products/lamp?page=11", 400, "BadRequestException"},
		{"page not a number", streamer.Sub, "/products/lamp?page=two", 400, "BadRequestException"},
		{"language", streamer.Sub, "/products/lamp?language=english", 400, "BadRequestException"},
		{"origin", streamer.Sub, "/products/lamp?origin=elsewhere", 400, "BadRequestException"},
		{"deeper path", streamer.Sub, "/products/lamp/more", 404, "NotFoundException"},
		{"no profile", "sub-unknown", "/products/lamp", 404, "UserNotFoundException"},
		{"no channel yet", "sub-2", "/products/lamp", 404, "ChannelNotProvisionedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, cat := newService(t, Page{}, nil)
			status, body := get(t, s, tc.sub, tc.target)
			assert.Equal(t, tc.status, status, body)
			var e map[string]string
			require.NoError(t, json.Unmarshal([]byte(body), &e))
			assert.Equal(t, tc.typ, e["__type"])
			assert.Empty(t, cat.queries, "the catalog is not asked")
		})
	}
}

func TestSearchProductsCatalogErrors(t *testing.T) {
	throttled := onair.Errorf(onair.Throttled, "TooManyRequestsException", "Too many product searches; try again in a moment.")
	down := onair.Errorf(onair.Unavailable, "ServiceUnavailableException", "Product search is unavailable.")
	cases := []struct {
		name, query string
		err         error
		status      int
		typ         string
	}{
		{"throttled", "", throttled, 429, "TooManyRequestsException"},
		{"throttled while sorting", "?origin=sort", throttled, 429, "TooManyRequestsException"},
		{"unavailable", "?origin=input", down, 503, "ServiceUnavailableException"},
		{"unavailable while sorting", "?origin=sort", down, 503, "SortProductsException"},
		{"unexpected", "", assert.AnError, 500, "UnexpectedException"},
		{"unexpected while sorting", "?origin=sort&sort=Featured", assert.AnError, 500, "SortProductsException"},
		{"refused keywords", "?origin=sort", onair.Errorf(onair.Invalid, "BadRequestException", "refused"), 400, "BadRequestException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t, Page{}, tc.err)
			status, body := get(t, s, streamer.Sub, "/products/lamp"+tc.query)
			assert.Equal(t, tc.status, status, body)
			assert.Contains(t, body, `"__type":"`+tc.typ+`"`)
			assert.NotContains(t, body, assert.AnError.Error())
		})
	}
}

// Every item returned can be sent as an amazon_product action; items that
// could not are left out, and fields over the overlay's limits are fitted.
func TestSearchProductsItemsAreValidOverlayData(t *testing.T) {
	long := strings.Repeat("Very long title ", 30)
	items := []Item{
		earbuds,
		{ASIN: "no-link", Title: "x", Large: img("https://i/1.jpg")},
		{ASIN: "ftp-link", Title: "x", DetailPageURL: "ftp://www.amazon.com/dp/1", Large: img("https://i/1.jpg")},
		{ASIN: "no-image", Title: "x", DetailPageURL: "https://www.amazon.com/dp/2"},
		{ASIN: "bad-image", Title: "x", DetailPageURL: "https://www.amazon.com/dp/2", Large: img("javascript:alert(1)")},
		{ASIN: "no-title", Title: "  ", DetailPageURL: "https://www.amazon.com/dp/3", Large: img("https://i/3.jpg")},
		{ASIN: "medium-only", Title: "Medium only", DetailPageURL: "https://www.amazon.com/dp/4", Medium: img("https://i/4-M.jpg")},
		{ASIN: "long", Title: long, DetailPageURL: "https://www.amazon.com/dp/5", Large: img("https://i/5.jpg"),
			Price: "From $1,234,567.89 to $9,876,543.21 (list)", MerchantName: strings.Repeat("m", 200)},
	}
	s, _ := newService(t, Page{Total: 8, Items: items}, nil)
	status, body := get(t, s, streamer.Sub, "/products/lamp")
	require.Equal(t, http.StatusOK, status, body)
	var resp struct {
		SearchCount int               `json:"searchCount"`
		Items       []json.RawMessage `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &resp))
	assert.Equal(t, 8, resp.SearchCount, "the catalog's count")
	require.Len(t, resp.Items, 3)
	var got []overlays.AmazonProductData
	for _, raw := range resp.Items {
		_, err := overlays.ParseAction(overlays.AmazonProduct, raw, "data")
		require.NoError(t, err, string(raw))
		var p overlays.AmazonProductData
		require.NoError(t, json.Unmarshal(raw, &p))
		got = append(got, p)
		u, err := url.Parse(p.ProductURL)
		require.NoError(t, err)
		assert.Equal(t, []string{"ch1abcdef-20"}, u.Query()["tag"])
	}
	assert.Equal(t, "https://i/4-M.jpg", got[1].Images.Large.URL, "a smaller image stands in for the large one")
	assert.Equal(t, 256, len([]rune(got[2].Title)))
	assert.True(t, strings.HasSuffix(got[2].Title, "…"))
	assert.Nil(t, got[2].Price, "a price the overlay cannot show is left out")
	assert.Len(t, []rune(got[2].MerchantInfo.Name), 128)
}

func TestTagURL(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"https://www.amazon.com/dp/B01?tag=operator-20", "https://www.amazon.com/dp/B01?tag=mine-20", true},
		{"https://www.amazon.co.uk/dp/B01", "https://www.amazon.co.uk/dp/B01?tag=mine-20", true},
		{"https://www.amazon.com/dp/B01?tag=a&tag=b&x=1#frag", "https://www.amazon.com/dp/B01?tag=mine-20&x=1", true},
		{"http://www.amazon.com/dp/B01", "http://www.amazon.com/dp/B01?tag=mine-20", true},
		{"/dp/B01", "", false},
		{"javascript:alert(1)", "", false},
		{"https://user:pw@www.amazon.com/dp/B01", "", false},
		{"::", "", false},
	}
	for _, tc := range cases {
		got, ok := TagURL(tc.in, "mine-20")
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

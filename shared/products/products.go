// Package products is the Amazon product search of the stream manager's
// "Amazon product" overlay (feature flag EnableAmazonProductStreamAction):
// GET /products/{keywords} searches a product catalog (Amazon's Creators
// API, shared/creatorsapi) and returns items in exactly the shape an
// amazon_product stream action carries (shared/overlays), with every
// product link tagged with the caller's Associates tracking id, so that
// purchases through the overlay are credited to the streamer.
package products

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
	"github.com/onair/onair/shared/overlays"
	"github.com/onair/onair/shared/telemetry"
)

// Limits of a search.
const (
	MaxKeywordsLength = 150
	MaxPage           = 10
	// PageSize is how many items a page has at most (the catalog's limit).
	PageSize = 10
)

// Sort orders the stream manager offers (the reference's); the first is
// the default.
func Sorts() []string {
	return []string{"Relevance", "NewestArrivals", "Price:LowToHigh", "Price:HighToLow", "Featured"}
}

// Query is one page of a search.
type Query struct {
	Keywords string
	Sort     string
	Page     int
	// Language is the preferred language of titles ("en_US"), or "".
	Language string
}

// Page is a page of results as the catalog returns it.
type Page struct {
	// Total is how many items match (all pages).
	Total int
	Items []Item
}

// Item is a product as the catalog describes it.
type Item struct {
	ASIN          string
	Title         string
	DetailPageURL string
	Large         *Image
	Medium        *Image
	Small         *Image
	// Price is the display price ("$19.99"), "" when the item has no offer.
	Price        string
	MerchantID   string
	MerchantName string
}

// Image is a product image.
type Image struct {
	URL           string
	Height, Width int
}

// Catalog searches products (shared/creatorsapi). Errors are onair errors:
// Throttled when the catalog's rate limit is reached, Unavailable when it is
// down or not configured.
type Catalog interface {
	SearchItems(ctx context.Context, q Query) (Page, error)
}

// Store is the part of the storage contract (shared/store) used here.
type Store interface {
	GetUser(ctx context.Context, sub string) (onair.User, error)
}

// Service serves the product search.
type Service struct {
	Store   Store
	Catalog Catalog
}

// SearchProducts serves GET /products/{keywords} (see Service.SearchProducts).
func SearchProducts(st Store, catalog Catalog) http.Handler {
	return (&Service{Store: st, Catalog: catalog}).SearchProducts()
}

// Response is the search result: the reference's shape.
type Response struct {
	SearchCount int                          `json:"searchCount"`
	Items       []overlays.AmazonProductData `json:"items"`
	Keyword     string                       `json:"keyword"`
}

// RoutePrefix is the path the search is served under; the rest of the path
// is the keywords (one path segment).
const RoutePrefix = "/products/"

func invalid(format string, args ...any) error {
	return onair.Errorf(onair.Invalid, "BadRequestException", format, args...)
}

var languagePattern = regexp.MustCompile(`^[a-z]{2}_[A-Z]{2}$`)

// SearchProducts serves GET /products/{keywords}?sort=&page=&language=&origin=
// (login required). keywords: 1–150 characters; sort: one of Sorts()
// (default Relevance); page: 1–10 (default 1); language: a locale such as
// en_US (optional); origin: "input" or "sort", what the stream manager was
// doing, which names the error of a failed search (SortProductsException
// after a sort change, as in the reference).
//
// The route is registered as the prefix /products/ and the keywords are
// read from the path here, because the HTTP edge's general limit on path
// parameters (100 characters) is below the 150 that keywords may have.
func (s *Service) SearchProducts() http.Handler {
	return httpapi.Func(func(w http.ResponseWriter, r *http.Request) error {
		c, err := httpapi.MustCaller(r)
		if err != nil {
			return err
		}
		q, origin, err := parseQuery(r)
		if err != nil {
			return err
		}
		trackingID, err := s.trackingID(r.Context(), c.Sub)
		if err != nil {
			return err
		}
		page, err := s.Catalog.SearchItems(r.Context(), q)
		if err != nil {
			return nameError(err, origin)
		}
		resp := Response{SearchCount: page.Total, Items: []overlays.AmazonProductData{}, Keyword: q.Keywords}
		for _, it := range page.Items {
			p, ok := product(it, trackingID)
			if !ok {
				telemetry.Logger(r.Context()).Warn("product dropped: not a valid overlay item", "asin", it.ASIN)
				continue
			}
			resp.Items = append(resp.Items, p)
		}
		return httpapi.WriteJSON(w, http.StatusOK, resp)
	})
}

// parseQuery validates the request's keywords and query parameters.
func parseQuery(r *http.Request) (Query, string, error) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), RoutePrefix)
	if !ok || strings.Contains(rest, "/") {
		return Query{}, "", onair.Errorf(onair.NotFound, "NotFoundException", "No route for %s %s.", r.Method, r.URL.Path)
	}
	keywords, err := url.PathUnescape(rest)
	if err != nil || !utf8.ValidString(keywords) {
		return Query{}, "", invalid("keywords are not valid text.")
	}
	keywords = strings.TrimSpace(keywords)
	switch {
	case keywords == "":
		return Query{}, "", invalid("Enter keywords to search for.")
	case utf8.RuneCountInString(keywords) > MaxKeywordsLength:
		return Query{}, "", invalid("keywords must NOT have more than %d characters.", MaxKeywordsLength)
	case strings.IndexFunc(keywords, unicode.IsControl) >= 0:
		return Query{}, "", invalid("keywords must not contain control characters.")
	}
	params := r.URL.Query()
	q := Query{Keywords: keywords, Sort: Sorts()[0], Page: 1}
	if v := params.Get("sort"); v != "" {
		if !slices.Contains(Sorts(), v) {
			return Query{}, "", invalid("sort must be one of %s.", strings.Join(Sorts(), ", "))
		}
		q.Sort = v
	}
	if v := params.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPage {
			return Query{}, "", invalid("page must be a whole number from 1 to %d.", MaxPage)
		}
		q.Page = n
	}
	if v := params.Get("language"); v != "" {
		if !languagePattern.MatchString(v) {
			return Query{}, "", invalid("language must be a locale such as en_US.")
		}
		q.Language = v
	}
	origin := params.Get("origin")
	if origin != "" && origin != "input" && origin != "sort" {
		return Query{}, "", invalid("origin must be input or sort.")
	}
	return q, origin, nil
}

// trackingID is the caller's Associates tracking id, set when their channel
// was provisioned.
func (s *Service) trackingID(ctx context.Context, sub string) (string, error) {
	u, err := s.Store.GetUser(ctx, sub)
	if errors.Is(err, onair.ErrNotFound) {
		return "", onair.Errorf(onair.NotFound, "UserNotFoundException", "No profile exists for this user.")
	}
	if err != nil {
		return "", err
	}
	if u.TrackingID == "" {
		return "", onair.Errorf(onair.NotFound, "ChannelNotProvisionedException",
			"Your channel is not set up yet; create its resources first.")
	}
	return u.TrackingID, nil
}

// nameError gives a failed search the reference's exception name when it is
// not one the client acts on (too many requests, bad input).
func nameError(err error, origin string) error {
	code := onair.ErrorCode(err)
	if origin == "sort" && (code == onair.Internal || code == onair.Unavailable) {
		return onair.Wrap(code, "SortProductsException", onair.ErrorMessage(err), err)
	}
	return err
}

// product turns a catalog item into overlay data: the link tagged with the
// tracking id, the large image required (the overlay shows it; a smaller one
// stands in when the catalog has no large one), and every field within the
// overlay's limits. ok is false for an item the overlay would refuse.
func product(it Item, trackingID string) (overlays.AmazonProductData, bool) {
	link, ok := TagURL(it.DetailPageURL, trackingID)
	if !ok {
		return overlays.AmazonProductData{}, false
	}
	p := overlays.AmazonProductData{Title: truncate(strings.TrimSpace(it.Title), maxTitle), ProductURL: link}
	p.Images.Large, p.Images.Medium, p.Images.Small = image(it.Large), image(it.Medium), image(it.Small)
	if p.Images.Large == nil {
		p.Images.Large = firstNonNil(p.Images.Medium, p.Images.Small)
	}
	if price := strings.TrimSpace(it.Price); price != "" && utf8.RuneCountInString(price) <= maxPrice {
		p.Price = &overlays.AmazonPrice{DisplayAmount: price}
	}
	if it.MerchantID != "" || it.MerchantName != "" {
		p.MerchantInfo = &overlays.MerchantInfo{ID: truncate(it.MerchantID, maxMerchant), Name: truncate(it.MerchantName, maxMerchant)}
	}
	// The overlay's own validation is the final word: an item offered here
	// can always be sent.
	data, err := json.Marshal(p)
	if err != nil {
		return overlays.AmazonProductData{}, false
	}
	if _, err := overlays.ParseAction(overlays.AmazonProduct, data, "data"); err != nil {
		return overlays.AmazonProductData{}, false
	}
	return p, true
}

// The overlay's limits (shared/overlays) on the fields shortened here.
const (
	maxTitle    = 256
	maxPrice    = 32
	maxMerchant = 128
)

func image(img *Image) *overlays.AmazonImage {
	if img == nil || img.URL == "" {
		return nil
	}
	return &overlays.AmazonImage{URL: img.URL, Height: max(img.Height, 0), Width: max(img.Width, 0)}
}

func firstNonNil(imgs ...*overlays.AmazonImage) *overlays.AmazonImage {
	for _, img := range imgs {
		if img != nil {
			return img
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// TagURL returns the http(s) link raw with its Associates tag (the "tag"
// query parameter) replaced by trackingID, or added when it has none; ok is
// false when raw is not an absolute http(s) URL.
func TagURL(raw, trackingID string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", false
	}
	q := u.Query()
	q.Set("tag", trackingID)
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String(), true
}

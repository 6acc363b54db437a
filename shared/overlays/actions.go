// Package overlays serves stream actions: overlays (a quiz, a product, a
// notice, a celebration, an Amazon product) that the channel owner sends to
// viewers as IVS timed metadata, the action currently shown, and the owner's
// saved presets. Actions are validated here, on the server, against the
// limits of the stream manager's forms; docs/overlays.md describes the
// formats.
package overlays

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/onair/onair/shared/httpapi"
	"github.com/onair/onair/shared/onair"
)

// Action names.
const (
	Quiz          = "quiz"
	Product       = "product"
	Notice        = "notice"
	Celebration   = "celebration"
	AmazonProduct = "amazon_product"
)

// Names lists the actions in the order the stream manager shows them.
var Names = []string{Quiz, Product, Notice, Celebration, AmazonProduct}

// Limits (the reference stream manager's form limits).
const (
	MinDuration         = 5
	MaxDuration         = 30
	CelebrationDuration = 10
	minAnswers          = 3
	maxAnswers          = 5
	maxQuestion         = 256
	maxAnswer           = 128
	maxProductTitle     = 32
	maxPrice            = 10
	maxImageURL         = 256
	maxURL              = 2048
	maxDescription      = 256
	maxNoticeTitle      = 24
	maxNoticeMessage    = 256
	maxAmazonTitle      = 256
	maxAmazonPrice      = 32
	maxMerchantField    = 128
)

// QuizData is a question with 3–5 unique answers, shown for Duration seconds.
type QuizData struct {
	Question           string   `json:"question"`
	Answers            []string `json:"answers"`
	CorrectAnswerIndex *int     `json:"correctAnswerIndex"`
	Duration           *int     `json:"duration"`
}

// ProductData is a product card, shown until replaced or stopped.
type ProductData struct {
	Title       string `json:"title"`
	Price       string `json:"price"`
	ImageURL    string `json:"imageUrl"`
	Description string `json:"description"`
}

// NoticeData is a banner shown for Duration seconds.
type NoticeData struct {
	Title    string `json:"title"`
	Message  string `json:"message"`
	Duration *int   `json:"duration"`
}

// CelebrationData is confetti for a fixed 10 seconds.
type CelebrationData struct {
	Duration *int `json:"duration,omitempty"`
}

// AmazonProductData is an item chosen from the product search, shown until
// replaced or stopped. Only these fields are kept; anything else the search
// returned is dropped.
type AmazonProductData struct {
	Images       AmazonImages  `json:"images"`
	Title        string        `json:"title"`
	Price        *AmazonPrice  `json:"price,omitempty"`
	ProductURL   string        `json:"productURL"`
	MerchantInfo *MerchantInfo `json:"merchantInfo,omitempty"`
}

// AmazonImages holds the item's image URLs; large is required.
type AmazonImages struct {
	Large  *AmazonImage `json:"large"`
	Medium *AmazonImage `json:"medium,omitempty"`
	Small  *AmazonImage `json:"small,omitempty"`
}

// AmazonImage is one image of an item.
type AmazonImage struct {
	URL    string `json:"url"`
	Height int    `json:"height,omitempty"`
	Width  int    `json:"width,omitempty"`
}

// AmazonPrice is the item's displayed price.
type AmazonPrice struct {
	DisplayAmount string `json:"displayAmount"`
}

// MerchantInfo names the seller.
type MerchantInfo struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Action is a validated action: its name, its canonical data (re-encoded
// from the typed form, so unknown fields never reach viewers), and how long
// it lasts (0: until replaced or stopped).
type Action struct {
	Name     string
	Data     json.RawMessage
	Duration int
}

// invalidType is the __type of an action that is not valid.
const invalidType = "InvalidStreamActionException"

func invalid(format string, args ...any) error {
	return onair.Errorf(onair.Invalid, invalidType, format, args...)
}

// ParseAction validates the data of the action name. field prefixes field
// names in messages ("data" for a sent action, "<name>" for a preset).
func ParseAction(name string, data json.RawMessage, field string) (Action, error) {
	a := Action{Name: name}
	if !slices.Contains(Names, name) {
		return a, invalid("name must be one of %s, or null to stop the current action.", strings.Join(Names, ", "))
	}
	empty := len(bytes.TrimSpace(data)) == 0 || bytes.Equal(bytes.TrimSpace(data), []byte("null"))
	if empty && name != Celebration {
		return a, invalid("%s is required for a %s.", field, name)
	}
	var v any
	var err error
	switch name {
	case Quiz:
		var d QuizData
		if err = decodeStrict(data, &d, field); err == nil {
			err = d.validate(field)
			if err == nil {
				a.Duration = *d.Duration
			}
		}
		v = d
	case Product:
		var d ProductData
		if err = decodeStrict(data, &d, field); err == nil {
			err = d.validate(field)
		}
		v = d
	case Notice:
		var d NoticeData
		if err = decodeStrict(data, &d, field); err == nil {
			err = d.validate(field)
			if err == nil {
				a.Duration = *d.Duration
			}
		}
		v = d
	case Celebration:
		var d CelebrationData
		if !empty {
			err = decodeStrict(data, &d, field)
		}
		if err == nil && d.Duration != nil && *d.Duration != CelebrationDuration {
			err = invalid("%s.duration of a celebration is always %d seconds.", field, CelebrationDuration)
		}
		dur := CelebrationDuration
		d.Duration = &dur
		a.Duration = dur
		v = d
	case AmazonProduct:
		var d AmazonProductData
		// The item comes from the product search as is: fields this package
		// does not know are dropped rather than refused.
		if err = json.Unmarshal(data, &d); err != nil {
			err = httpapi.ValueError(err, field, invalidType)
		} else {
			err = d.validate(field)
		}
		v = d
	default:
		return a, invalid("name must be one of %s, or null to stop the current action.", strings.Join(Names, ", "))
	}
	if err != nil {
		return a, err
	}
	if a.Data, err = compactJSON(v); err != nil {
		return a, fmt.Errorf("encode %s: %w", name, err)
	}
	return a, nil
}

// compactJSON encodes v without escaping <, > and & (the payload is data for
// players, not HTML, and escapes would waste the 1 KB budget).
func compactJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// decodeStrict reads an action's data as the HTTP edge reads every value
// with a shape of its own (httpapi.DecodeValue).
func decodeStrict(data json.RawMessage, dst any, field string) error {
	return httpapi.DecodeValue(data, dst, field, invalidType)
}

// text checks a required text field: trimmed, 1..max characters.
func text(field, v string, maxLen int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	if n == 0 {
		return invalid("%s is required.", field)
	}
	if utf8.RuneCountInString(v) > maxLen {
		return invalid("%s must be at most %d characters.", field, maxLen)
	}
	return nil
}

func duration(field string, d *int) error {
	if d == nil {
		return invalid("%s is required (%d–%d seconds).", field, MinDuration, MaxDuration)
	}
	if *d < MinDuration || *d > MaxDuration {
		return invalid("%s must be between %d and %d seconds.", field, MinDuration, MaxDuration)
	}
	return nil
}

// webURL checks an http(s) URL of at most maxLen characters.
func webURL(field, v string, maxLen int) error {
	if strings.TrimSpace(v) == "" {
		return invalid("%s is required.", field)
	}
	if len(v) > maxLen {
		return invalid("%s must be at most %d characters.", field, maxLen)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(v, " \t\r\n") {
		return invalid("%s must be a valid http or https URL.", field)
	}
	return nil
}

func (d QuizData) validate(f string) error {
	if err := text(f+".question", d.Question, maxQuestion); err != nil {
		return err
	}
	if len(d.Answers) < minAnswers || len(d.Answers) > maxAnswers {
		return invalid("%s.answers must have %d to %d answers.", f, minAnswers, maxAnswers)
	}
	seen := map[string]int{}
	for i, a := range d.Answers {
		field := fmt.Sprintf("%s.answers[%d]", f, i)
		if err := text(field, a, maxAnswer); err != nil {
			return err
		}
		key := strings.ToLower(strings.TrimSpace(a))
		if j, dup := seen[key]; dup {
			return invalid("%s repeats %s.answers[%d]; answers must be unique.", field, f, j)
		}
		seen[key] = i
	}
	if d.CorrectAnswerIndex == nil {
		return invalid("%s.correctAnswerIndex is required.", f)
	}
	if *d.CorrectAnswerIndex < 0 || *d.CorrectAnswerIndex >= len(d.Answers) {
		return invalid("%s.correctAnswerIndex must be between 0 and %d.", f, len(d.Answers)-1)
	}
	return duration(f+".duration", d.Duration)
}

func (d ProductData) validate(f string) error {
	if err := text(f+".title", d.Title, maxProductTitle); err != nil {
		return err
	}
	if err := text(f+".price", d.Price, maxPrice); err != nil {
		return err
	}
	if err := webURL(f+".imageUrl", d.ImageURL, maxImageURL); err != nil {
		return err
	}
	return text(f+".description", d.Description, maxDescription)
}

func (d NoticeData) validate(f string) error {
	if err := text(f+".title", d.Title, maxNoticeTitle); err != nil {
		return err
	}
	if err := text(f+".message", d.Message, maxNoticeMessage); err != nil {
		return err
	}
	return duration(f+".duration", d.Duration)
}

func (d AmazonProductData) validate(f string) error {
	if err := text(f+".title", d.Title, maxAmazonTitle); err != nil {
		return err
	}
	if err := webURL(f+".productURL", d.ProductURL, maxURL); err != nil {
		return err
	}
	if d.Images.Large == nil {
		return invalid("%s.images.large is required.", f)
	}
	if err := webURL(f+".images.large.url", d.Images.Large.URL, maxURL); err != nil {
		return err
	}
	for _, img := range []struct {
		name string
		img  *AmazonImage
	}{{"medium", d.Images.Medium}, {"small", d.Images.Small}} {
		if img.img != nil {
			if err := webURL(f+".images."+img.name+".url", img.img.URL, maxURL); err != nil {
				return err
			}
		}
	}
	if d.Price != nil {
		if err := text(f+".price.displayAmount", d.Price.DisplayAmount, maxAmazonPrice); err != nil {
			return err
		}
	}
	if m := d.MerchantInfo; m != nil {
		if utf8.RuneCountInString(m.Name) > maxMerchantField || utf8.RuneCountInString(m.ID) > maxMerchantField {
			return invalid("%s.merchantInfo fields must be at most %d characters.", f, maxMerchantField)
		}
	}
	return nil
}

package ivsemu

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Patterns from the services' API models.
var (
	reName                    = regexp.MustCompile(`^[a-zA-Z0-9-_]*$`)
	reChannelArn              = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel/[a-zA-Z0-9-]+$`)
	reStreamKeyArn            = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:[0-9]+:stream-key/[a-zA-Z0-9-]+$`)
	reStageArn                = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+$`)
	rePublicKeyArn            = regexp.MustCompile(`^arn:aws:ivs:[a-z0-9-]+:[0-9]+:public-key/[a-zA-Z0-9-]+$`)
	reRoomArn                 = regexp.MustCompile(`^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+$`)
	reStreamID                = regexp.MustCompile(`^st-[a-zA-Z0-9]+$`)
	reSessionID               = regexp.MustCompile(`^st-[a-zA-Z0-9]+$`)
	reParticipant             = regexp.MustCompile(`^[a-zA-Z0-9-_]*$`)
	reParticipantNoUnderscore = regexp.MustCompile(`^[a-zA-Z0-9-]*$`)
	reChatID                  = regexp.MustCompile(`^[a-zA-Z0-9]+$`)
	reNextToken               = regexp.MustCompile(`^[a-zA-Z0-9+/=_-]*$`)
	reLambdaArn               = regexp.MustCompile(`^$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+`)
	rePEM                     = regexp.MustCompile(`(?s)^.*-----BEGIN PUBLIC KEY-----\r?\n([a-zA-Z0-9+/=\r\n]+)\r?\n-----END PUBLIC KEY-----(\r?\n)?.*$`)
	reOptRecordingConfigArn   = regexp.MustCompile(`^$|^arn:aws:ivs:[a-z0-9-]+:[0-9]+:recording-configuration/[a-zA-Z0-9-]+$`)
	reOptPlaybackPolicyArn    = regexp.MustCompile(`^$|^arn:aws:ivs:[a-z0-9-]+:[0-9]+:playback-restriction-policy/[a-zA-Z0-9-]+$`)
	reOptAdConfigArn          = regexp.MustCompile(`^$|^arn:aws:ivs:[a-z0-9-]+:[0-9]+:ad-configuration/[a-zA-Z0-9-]+$`)
	reOptStorageConfigArn     = regexp.MustCompile(`^$|^arn:aws:ivs:[a-z0-9-]+:[0-9]+:storage-configuration/[a-zA-Z0-9-]+$`)
)

// check collects validation failures and renders them the way AWS does:
// "1 validation error detected: Value 'x' at 'name' failed to satisfy
// constraint: Member must ...".
type check struct {
	fields []FieldError
	values []string
}

func (c *check) fail(field, value, constraint string) {
	c.fields = append(c.fields, FieldError{Name: field, Message: constraint})
	c.values = append(c.values, value)
}

func (c *check) required(field string, present bool) {
	if !present {
		c.fail(field, "null", "Member must not be null")
	}
}

func (c *check) length(field, value string, min, max int) {
	n := utf8.RuneCountInString(value)
	if n < min || (max >= 0 && n > max) {
		if max >= 0 {
			c.fail(field, value, fmt.Sprintf("Member must have length between %d and %d", min, max))
		} else {
			c.fail(field, value, fmt.Sprintf("Member must have length greater than or equal to %d", min))
		}
	}
}

func (c *check) pattern(field, value string, re *regexp.Regexp) {
	if !re.MatchString(value) {
		expr := strings.TrimSuffix(strings.TrimPrefix(re.String(), "^"), "$")
		c.fail(field, value, "Member must satisfy regular expression pattern: "+expr)
	}
}

// str checks an optional string field: length and pattern when present.
func (c *check) str(field string, value *string, min, max int, re *regexp.Regexp) {
	if value == nil {
		return
	}
	c.length(field, *value, min, max)
	if re != nil {
		c.pattern(field, *value, re)
	}
}

// arn checks a required ARN field.
func (c *check) arn(field string, value *string, re *regexp.Regexp) {
	if value == nil {
		c.required(field, false)
		return
	}
	c.length(field, *value, 1, 128)
	c.pattern(field, *value, re)
}

func (c *check) intRange(field string, v *int, min, max int) {
	if v != nil && (*v < min || *v > max) {
		c.fail(field, strconv.Itoa(*v), fmt.Sprintf("Member must have value between %d and %d", min, max))
	}
}

func (c *check) enum(field string, v *string, allowed ...string) {
	if v != nil && !slices.Contains(allowed, *v) {
		c.fail(field, *v, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
}

func (c *check) enumList(field string, vs []string, min, max int, allowed ...string) {
	if len(vs) < min || len(vs) > max {
		c.fail(field, fmt.Sprint(vs), fmt.Sprintf("Member must have length between %d and %d", min, max))
	}
	for i, v := range vs {
		if !slices.Contains(allowed, v) {
			c.fail(fmt.Sprintf("%s.%d.member", field, i+1), v, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
		}
	}
}

// attributes checks a string map against a total size limit in bytes
// (keys + values), as IVS does for token and event attributes.
func (c *check) attributes(field string, m map[string]string, maxBytes int) {
	total := 0
	for k, v := range m {
		total += len(k) + len(v)
	}
	if total > maxBytes {
		c.fail(field, fmt.Sprintf("<%d bytes>", total), fmt.Sprintf("Member must have total size less than or equal to %d bytes", maxBytes))
	}
}

func (c *check) tags(field string, tags map[string]string) {
	if len(tags) > 50 {
		c.fail(field, fmt.Sprintf("<%d tags>", len(tags)), "Member must have length less than or equal to 50")
	}
	for k, v := range tags {
		if utf8.RuneCountInString(k) < 1 || utf8.RuneCountInString(k) > 128 {
			c.fail(field, k, "Tag keys must have length between 1 and 128")
		}
		if utf8.RuneCountInString(v) > 256 {
			c.fail(field, v, "Tag values must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			c.fail(field, k, "Tag keys cannot start with the reserved prefix aws:")
		}
	}
}

func (c *check) nextToken(v *string) {
	c.str("nextToken", v, 0, 1024, reNextToken)
}

func (c *check) ok() bool { return len(c.fields) == 0 }

// err returns the IVS-style ValidationException, or nil.
func (c *check) err() error {
	if c.ok() {
		return nil
	}
	var b strings.Builder
	if len(c.fields) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(c.fields))
	}
	for i, f := range c.fields {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "Value '%s' at '%s' failed to satisfy constraint: %s", c.values[i], f.Name, f.Message)
	}
	e := errValidation("%s", b.String())
	e.Reason = "FIELD_VALIDATION_FAILED"
	e.Fields = c.fields
	return e
}

// page returns one page of items for a list operation, in the order of
// their sort keys (key(i, item): unique, ascending; sites build descending
// orders with descTime). nextToken carries the key of the last item
// returned, and the next page starts after it: items created or deleted
// between two calls shift nothing, so a caller paging while others (or it
// itself) delete never misses an item that existed throughout — an offset
// would skip one for each deletion before it, as CleanupStages deleting
// orphans while listing did.
func page[T any](items []T, key func(int, T) string, nextToken *string, maxResults *int, def int) ([]T, *string, error) {
	type keyed struct {
		k string
		v T
	}
	sorted := make([]keyed, len(items))
	for i, it := range items {
		sorted[i] = keyed{key(i, it), it}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].k < sorted[j].k })
	start := 0
	if nextToken != nil && *nextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*nextToken)
		after, ok := strings.CutPrefix(string(raw), "after:")
		if err != nil || !ok {
			return nil, nil, errValidation("The nextToken is invalid or expired.")
		}
		start = sort.Search(len(sorted), func(i int) bool { return sorted[i].k > after })
	}
	size := def
	if maxResults != nil {
		size = *maxResults
	}
	end := min(start+size, len(sorted))
	out := make([]T, 0, end-start)
	for _, it := range sorted[start:end] {
		out = append(out, it.v)
	}
	if end < len(sorted) {
		tok := base64.RawURLEncoding.EncodeToString([]byte("after:" + sorted[end-1].k))
		return out, &tok, nil
	}
	return out, nil, nil
}

// Sort keys for page: times as fixed-width numbers, ascending or descending.
func ascTime(t *Time) string {
	if t == nil {
		return fmt.Sprintf("%020d", 0)
	}
	return fmt.Sprintf("%020d", t.UnixNano())
}

func descTime(t *Time) string {
	if t == nil {
		return fmt.Sprintf("%020d", int64(math.MaxInt64))
	}
	return fmt.Sprintf("%020d", math.MaxInt64-t.UnixNano())
}

// pageReply is a list operation's reply: one page of items (see page) under
// field, and the nextToken of the next page (null on the last).
func pageReply[T any](field string, items []T, key func(int, T) string, nextToken *string, maxResults *int, def int) (any, error) {
	out, next, err := page(items, key, nextToken, maxResults, def)
	if err != nil {
		return nil, err
	}
	return map[string]any{field: out, "nextToken": next}, nil
}

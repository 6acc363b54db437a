package dynamo

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// Item key values of the Channels table.
const (
	prefixUser    = "USER#"
	prefixStage   = "STAGE#"
	prefixFollows = "FOLLOWS#"
	prefixBans    = "BANS#"
	prefixDoc     = "DOC#"
	skProfile     = "PROFILE"
	skStage       = "STAGE"
	liveShard     = "LIVE" // the one partition of liveIndex
	stageShard    = "OPEN" // the one partition of stageIndex
	attrAt        = "at"
	attrDoc       = "doc"
)

// sortableTime formats times that are index sort keys: UTC with a fixed nine
// fractional digits, so that string order is time order (RFC3339Nano trims
// trailing zeros, and "…05Z" would sort after "…05.5Z"). It still parses as
// RFC 3339.
const sortableTime = "2006-01-02T15:04:05.000000000Z07:00"

func sortable(t time.Time) string { return t.UTC().Format(sortableTime) }

type item = map[string]types.AttributeValue

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(n int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(n)} }

// stringAttr returns the string attribute name of it ("" if missing).
func stringAttr(it item, name string) string {
	if s, ok := it[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// Records are stored attribute by attribute under their JSON names, so the
// table reads like the domain types (and like the bbolt store's JSON).
func jsonTags(o *attributevalue.EncoderOptions) { o.TagKey = "json" }

func jsonTagsDecode(o *attributevalue.DecoderOptions) { o.TagKey = "json" }

func marshal(v any) (item, error) {
	it, err := attributevalue.MarshalMapWithOptions(v, jsonTags)
	if err != nil {
		return nil, fmt.Errorf("dynamo: marshal %T: %w", v, err)
	}
	return it, nil
}

func unmarshal(it item, v any) error {
	if err := attributevalue.UnmarshalMapWithOptions(it, v, jsonTagsDecode); err != nil {
		return fmt.Errorf("dynamo: unmarshal %T: %w", v, err)
	}
	return nil
}

func userKey(sub string) item {
	return item{attrPK: str(prefixUser + sub), attrSK: str(skProfile)}
}

func stageKey(id string) item {
	return item{attrPK: str(prefixStage + id), attrSK: str(skStage)}
}

func sessionKey(channelArn, streamID string) item {
	return item{attrChannelArn: str(channelArn), attrStreamID: str(streamID)}
}

// userItem is the profile item of u: its fields plus the keys and the
// attributes of the sparse indexes (set only when they have a value, since an
// index key attribute may not be empty).
func userItem(u onair.User) (item, error) {
	it, err := marshal(u)
	if err != nil {
		return nil, err
	}
	for k, v := range userKey(u.Sub) {
		it[k] = v
	}
	delete(it, attrUsernameLower)
	delete(it, attrEmailLower)
	if u.Username != "" {
		it[attrUsernameLower] = str(strings.ToLower(u.Username))
	}
	if u.Email != "" {
		it[attrEmailLower] = str(strings.ToLower(u.Email))
	}
	delete(it, attrLiveShard)
	delete(it, attrLiveSince)
	if u.LiveSince != nil {
		it[attrLiveShard] = str(liveShard)
		it[attrLiveSince] = str(sortable(*u.LiveSince))
	}
	return it, nil
}

func decodeUser(it item) (onair.User, error) {
	var u onair.User
	err := unmarshal(it, &u)
	return u, err
}

// sessionItem is the item of a session: startTime only once known (the
// startTimeIndex is sparse) and openSince only while open (openIndex).
func sessionItem(s onair.StreamSession) (item, error) {
	it, err := marshal(s)
	if err != nil {
		return nil, err
	}
	delete(it, attrStartTime)
	delete(it, attrOpenSince)
	if !s.StartTime.IsZero() {
		it[attrStartTime] = str(sortable(s.StartTime))
	}
	if s.Open {
		it[attrOpenSince] = str(sortable(s.StartTime))
	}
	return it, nil
}

func decodeSession(it item) (onair.StreamSession, error) {
	var s onair.StreamSession
	err := unmarshal(it, &s)
	return s, err
}

func stageItem(st onair.Stage) (item, error) {
	it, err := marshal(st)
	if err != nil {
		return nil, err
	}
	for k, v := range stageKey(st.ID) {
		it[k] = v
	}
	it[attrStageShard] = str(stageShard)
	it[attrCreatedAt] = str(sortable(st.CreatedAt))
	return it, nil
}

func decodeStage(it item) (onair.Stage, error) {
	var st onair.Stage
	err := unmarshal(it, &st)
	return st, err
}

// edge is a follow or a ban: owner → target, at a time.
type edge struct {
	owner, target string
	at            time.Time
}

func edgeKey(prefix, owner, target string) item {
	return item{attrPK: str(prefixUser + owner), attrSK: str(prefix + target)}
}

func edgeItem(prefix string, e edge) item {
	it := edgeKey(prefix, e.owner, e.target)
	it[attrRef] = str(e.target)
	it[attrAt] = str(sortable(e.at))
	return it
}

func decodeEdge(it item) (edge, error) {
	at, err := time.Parse(time.RFC3339Nano, stringAttr(it, attrAt))
	if err != nil {
		return edge{}, fmt.Errorf("dynamo: edge %s/%s: %w", stringAttr(it, attrPK), stringAttr(it, attrSK), err)
	}
	return edge{
		owner:  strings.TrimPrefix(stringAttr(it, attrPK), prefixUser),
		target: stringAttr(it, attrRef),
		at:     at,
	}, nil
}

// Errors.

func userNotFound() error {
	return onair.Errorf(onair.NotFound, "UserNotFoundException", "User not found.")
}

func notFound(what string) error {
	return onair.Errorf(onair.NotFound, "ResourceNotFoundException", "%s not found.", what)
}

func invalid(format string, args ...any) error {
	return onair.Errorf(onair.Invalid, "", format, args...)
}

// mapErr translates an SDK error. Oversized items are the caller's input, so
// they are TooLarge rather than a generic validation failure.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationException" &&
		strings.Contains(strings.ToLower(ae.ErrorMessage()), "item size") {
		return onair.Wrap(onair.TooLarge, "", "The record is too large.", fmt.Errorf("dynamodb:%s: %w", op, err))
	}
	return awserr.Map("dynamodb:"+op, err)
}

package ivsemu

import (
	"encoding/json"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// bucketForArn finds where a taggable resource lives from its ARN's service
// and resource type (the only way to tell the three services' tag calls
// apart: they share the /tags/{resourceArn} path).
func bucketForArn(arn string) (bucket string, realtime bool, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" {
		return "", false, false
	}
	resType, _, found := strings.Cut(parts[5], "/")
	if !found {
		return "", false, false
	}
	switch parts[2] + ":" + resType {
	case "ivs:channel":
		return bChannels, false, true
	case "ivs:stream-key":
		return bStreamKeys, false, true
	case "ivs:stage":
		return bStages, true, true
	case "ivs:public-key":
		return bPublicKeys, true, true
	case "ivschat:room":
		return bRooms, false, true
	}
	return "", false, false
}

func notFoundForArn(bucket, arn string) *Error {
	e := errNotFound("Resource not found: %s", arn)
	if bucket == bRooms {
		e.ResourceID = arn[strings.LastIndex(arn, "/")+1:]
		e.ResourceType = "ROOM"
	}
	return e
}

// updateTags edits the "tags" member of a stored record, whatever its type.
func (s *Service) updateTags(bucket, arn string, fn func(tags map[string]string) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		var rec map[string]json.RawMessage
		if err := get(tx, bucket, arn, &rec); err != nil {
			if err == errMissing {
				return notFoundForArn(bucket, arn)
			}
			return err
		}
		tags := map[string]string{}
		if raw, ok := rec["tags"]; ok {
			_ = json.Unmarshal(raw, &tags)
			if tags == nil {
				tags = map[string]string{}
			}
		}
		if err := fn(tags); err != nil {
			return err
		}
		raw, _ := json.Marshal(tags)
		rec["tags"] = raw
		return put(tx, bucket, arn, rec)
	})
}

func (s *Service) listTags(bucket, arn string) (map[string]string, error) {
	tags := map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var rec struct {
			Tags map[string]string `json:"tags"`
		}
		if err := get(tx, bucket, arn, &rec); err != nil {
			if err == errMissing {
				return notFoundForArn(bucket, arn)
			}
			return err
		}
		for k, v := range rec.Tags {
			tags[k] = v
		}
		return nil
	})
	return tags, err
}

func (s *Service) tagResource(bucket, arn string, add map[string]string) error {
	var c check
	c.tags("tags", add)
	if err := c.err(); err != nil {
		return err
	}
	return s.updateTags(bucket, arn, func(tags map[string]string) error {
		for k, v := range add {
			tags[k] = v
		}
		if len(tags) > 50 {
			return errValidation("A resource can have at most 50 tags.")
		}
		return nil
	})
}

func (s *Service) untagResource(bucket, arn string, keys []string) error {
	if len(keys) == 0 {
		return errValidation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	if len(keys) > 50 {
		return errValidation("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	return s.updateTags(bucket, arn, func(tags map[string]string) error {
		for _, k := range keys {
			delete(tags, k)
		}
		return nil
	})
}

// Tags returns the tags of the channel, stream key, stage, public key or
// room arn as they are now; nil when there is no such resource. The offline
// stack's recorder of AWS calls reads them for aws:ResourceTag conditions.
func (s *Service) Tags(arn string) map[string]string {
	bucket, _, ok := bucketForArn(arn)
	if !ok {
		return nil
	}
	tags, err := s.listTags(bucket, arn)
	if err != nil {
		return nil
	}
	return tags
}

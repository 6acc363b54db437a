package overlays

import (
	"encoding/json"
	"time"

	"github.com/onair/onair/shared/onair"
)

// MetadataVersion is the version of the timed-metadata format (docs/overlays.md).
const MetadataVersion = 1

// MaxMetadataBytes is IVS PutMetadata's payload limit.
const MaxMetadataBytes = 1024

// Metadata is what players receive as the text of a TEXT_METADATA_CUE: plain
// compact JSON (no compression: actions within the form limits fit in 1 KB,
// and players can parse it without a decompressor). Name is null for a stop.
// Times are Unix milliseconds, comparable with Date.now(); Expiry is absent
// for actions that last until replaced or stopped.
type Metadata struct {
	V         int             `json:"v"`
	Name      *string         `json:"name"`
	Data      json.RawMessage `json:"data,omitempty"`
	StartTime int64           `json:"startTime"`
	Expiry    int64           `json:"expiry,omitempty"`
}

// encodeMetadata builds the metadata string of a (nil: stop) action sent at
// now, refusing payloads IVS would not carry.
func encodeMetadata(a *Action, now time.Time) (string, error) {
	m := Metadata{V: MetadataVersion, StartTime: now.UnixMilli()}
	if a != nil {
		name := a.Name
		m.Name = &name
		m.Data = a.Data
		if a.Duration > 0 {
			m.Expiry = now.Add(time.Duration(a.Duration) * time.Second).UnixMilli()
		}
	}
	b, err := compactJSON(m)
	if err != nil {
		return "", err
	}
	if len(b) > MaxMetadataBytes {
		name := ""
		if a != nil {
			name = a.Name
		}
		return "", onair.Errorf(onair.TooLarge, "PayloadTooLargeException",
			"This %s is %d bytes once encoded, and stream metadata carries at most %d: shorten its text or URLs.",
			displayName(name), len(b), MaxMetadataBytes)
	}
	return string(b), nil
}

func displayName(name string) string {
	switch name {
	case AmazonProduct:
		return "Amazon product"
	case "":
		return "action"
	}
	return name
}

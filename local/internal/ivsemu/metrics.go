package ivsemu

import (
	"context"
	"encoding/binary"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MetricPoint is one AWS/IVS datapoint of a channel (dimension Channel =
// channel id), e.g. IngestVideoBitrate at 5-second resolution.
type MetricPoint struct {
	Time  time.Time
	Value float64
}

func metricPrefix(channelID, name string) string { return channelID + "|" + name + "|" }

func metricKey(channelID, name string, t time.Time) []byte {
	k := []byte(metricPrefix(channelID, name))
	return binary.BigEndian.AppendUint64(k, uint64(t.UnixNano()))
}

// PutMetricPoints stores datapoints of one metric of one channel (IVS emits
// them; offline the stream simulation does).
func (s *Service) PutMetricPoints(ctx context.Context, channelID, name string, points []MetricPoint) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bMetrics))
		for _, p := range points {
			v := binary.BigEndian.AppendUint64(nil, math.Float64bits(p.Value))
			if err := b.Put(metricKey(channelID, name, p.Time), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// MetricPoints returns the stored datapoints with start <= time < end, oldest
// first.
func (s *Service) MetricPoints(ctx context.Context, channelID, name string, start, end time.Time) ([]MetricPoint, error) {
	var out []MetricPoint
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bMetrics)).Cursor()
		prefix := []byte(metricPrefix(channelID, name))
		stop := metricKey(channelID, name, end)
		for k, v := c.Seek(metricKey(channelID, name, start)); k != nil && hasPrefix(k, prefix) && string(k) < string(stop); k, v = c.Next() {
			if len(k) != len(prefix)+8 || len(v) != 8 {
				continue
			}
			nanos := int64(binary.BigEndian.Uint64(k[len(prefix):]))
			out = append(out, MetricPoint{Time: time.Unix(0, nanos).UTC(), Value: math.Float64frombits(binary.BigEndian.Uint64(v))})
		}
		return nil
	})
	return out, err
}

// LastMetricTime returns the time of the newest datapoint of a metric (zero
// if none).
func (s *Service) LastMetricTime(ctx context.Context, channelID, name string) (time.Time, error) {
	var t time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bMetrics)).Cursor()
		prefix := []byte(metricPrefix(channelID, name))
		// Seek past the prefix's range, then step back.
		end := []byte(channelID + "|" + name + "}") // '}' sorts right after '|'
		k, _ := c.Seek(end)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		if k != nil && hasPrefix(k, prefix) && len(k) == len(prefix)+8 {
			t = time.Unix(0, int64(binary.BigEndian.Uint64(k[len(prefix):]))).UTC()
		}
		return nil
	})
	return t, err
}

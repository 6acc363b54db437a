package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/local/internal/s3emu"
	"github.com/onair/onair/shared/samtemplate"
)

// s3Notify is one bucket notification of the template: objects created in
// Bucket matching Prefix/Suffix go to the function reading Queue.
type s3Notify struct {
	Bucket, Queue, Prefix, Suffix string
	Functions                     []string
}

// buckets returns the template's bucket names (deployed ones), their
// notifications, and, for each CloudFront distribution in front of a bucket,
// its domain → the bucket (offline the AWS endpoint serves the objects).
func (s *Stack) buckets(r samtemplate.Resolver) (names []string, notes []s3Notify, cdn map[string]string, err error) {
	cdn = map[string]string{}
	byDomain := map[string]string{}
	for _, id := range s.tmpl.ResourcesOfType("AWS::S3::Bucket") {
		if c := s.tmpl.Resources[id].Condition; c != "" {
			if ok, err := r.Condition(c); err != nil || !ok {
				continue
			}
		}
		p, err := resolvedProps(s.tmpl, id, r)
		if err != nil {
			return nil, nil, nil, err
		}
		name := str(p["BucketName"])
		if name == "" {
			name = r.Refs[id]
		}
		r.Refs[id] = name
		// The ARN follows the name (policies name the bucket by GetAtt Arn).
		r.Attrs[id+".Arn"] = "arn:" + r.Pseudo["AWS::Partition"] + ":s3:::" + name
		names = append(names, name)
		byDomain[r.Attrs[id+".RegionalDomainName"]] = name
		byDomain[r.Attrs[id+".DomainName"]] = name
		// A distribution may name its origin from the bucket's fixed name
		// (a Sub, not a GetAtt, to avoid a dependency cycle).
		byDomain[name+".s3."+r.Pseudo["AWS::Region"]+"."+r.Pseudo["AWS::URLSuffix"]] = name
		nc := obj(p["NotificationConfiguration"])
		qcs, _ := nc["QueueConfigurations"].([]any)
		for _, q := range qcs {
			qc := obj(q)
			n := s3Notify{Bucket: name, Queue: str(qc["Queue"])}
			rules, _ := obj(obj(qc["Filter"])["S3Key"])["Rules"].([]any)
			for _, rule := range rules {
				switch strings.ToLower(str(obj(rule)["Name"])) {
				case "prefix":
					n.Prefix = str(obj(rule)["Value"])
				case "suffix":
					n.Suffix = str(obj(rule)["Value"])
				}
			}
			for _, fn := range s.tmpl.FunctionNames() {
				for _, ev := range s.tmpl.Functions[fn].SQSEvents {
					if q, err := samtemplate.Resolve(ev.Queue, r); err == nil && q == n.Queue {
						n.Functions = append(n.Functions, fn)
					}
				}
			}
			notes = append(notes, n)
		}
	}
	for _, id := range s.tmpl.ResourcesOfType("AWS::CloudFront::Distribution") {
		// Only the origins' domains matter offline; the rest of the
		// distribution (OAC, cache policies) has no local counterpart.
		origins, _ := obj(s.tmpl.Resources[id].Properties["DistributionConfig"])["Origins"].([]any)
		for _, o := range origins {
			domain, err := samtemplate.Resolve(obj(o)["DomainName"], r)
			if err != nil {
				continue
			}
			if b, ok := byDomain[domain]; ok {
				cdn[r.Attrs[id+".DomainName"]] = b
			}
		}
	}
	return names, notes, cdn, nil
}

func (s *Stack) startS3(r samtemplate.Resolver) error {
	names, notes, cdn, err := s.buckets(r)
	if err != nil {
		return err
	}
	s.cdn = cdn
	var origins []string
	for _, o := range strings.Split(s.params["AllowedOrigins"], ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	s.s3, err = s3emu.Open(s3emu.Config{
		DataDir: filepath.Join(s.opts.DataDir), Buckets: names, Region: s.opts.Region,
		AllowedOrigins: origins, PublicURL: s.AWSURL, Now: s.opts.Now, Logger: s.log.With("component", "s3"),
		OnObjectCreated: func(event []byte) { s.notifyObjectCreated(notes, event) },
	})
	if err != nil {
		return err
	}
	s.closers = append(s.closers, s.s3.Close)
	return nil
}

// notifyObjectCreated delivers an S3 event the way the template wires it:
// S3 → SQS queue → the function's SQS event source (one message per batch).
func (s *Stack) notifyObjectCreated(notes []s3Notify, event []byte) {
	var ev struct {
		Records []struct {
			S3 struct {
				Bucket struct{ Name string } `json:"bucket"`
				Object struct{ Key string }  `json:"object"`
			} `json:"s3"`
		}
	}
	if err := json.Unmarshal(event, &ev); err != nil || len(ev.Records) == 0 {
		return
	}
	rec := ev.Records[0].S3
	for _, n := range notes {
		if n.Bucket != rec.Bucket.Name || !strings.HasPrefix(rec.Object.Key, n.Prefix) || !strings.HasSuffix(rec.Object.Key, n.Suffix) {
			continue
		}
		payload, err := json.Marshal(map[string]any{"Records": []any{map[string]any{
			"messageId":      eventbus.NewUUID(),
			"receiptHandle":  eventbus.NewUUID(),
			"body":           string(event),
			"attributes":     map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": fmt.Sprint(s.opts.Now().UnixMilli())},
			"eventSource":    "aws:sqs",
			"eventSourceARN": n.Queue,
			"awsRegion":      s.opts.Region,
		}}})
		if err != nil {
			continue
		}
		for _, fn := range n.Functions {
			fn := fn
			go func() {
				if _, err := s.host.Invoke(context.Background(), fn, payload); err != nil {
					s.log.Warn("S3 notification not processed", "function", fn, "key", rec.Object.Key, "err", err)
				}
			}()
		}
	}
}

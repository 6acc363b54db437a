// Package eventbus is the offline stack's Amazon EventBridge: the default
// event bus, the rules of template.yaml (target function + event pattern), and
// asynchronous delivery to the functions with retries.
//
// Two ways in: the EventBridge API (`POST /` with
// `X-Amz-Target: AWSEvents.PutEvents`, JSON 1.1), so the AWS CLI and SDKs work
// with --endpoint-url; and Publish for in-process publishers (the IVS
// emulators' stream simulation and stage events).
//
// Difference from AWS, on purpose: real EventBridge refuses PutEvents entries
// whose Source starts with "aws." (only AWS services may emit those). Offline
// we accept them, so a developer can replay an `aws.ivs` event by hand.
package eventbus

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Event is an EventBridge event envelope, as delivered to targets: the
// type the functions receive it as (aws-lambda-go's), so the bus and its
// targets cannot disagree about a field. Its Time is whole seconds, UTC, as
// EventBridge sends it ("2026-01-10T18:00:00Z"); Publish sees to that.
type Event = events.EventBridgeEvent

// eventTime is t as EventBridge puts it in an envelope: whole seconds, UTC.
func eventTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// NewEvent builds an envelope with detail marshalled to JSON. ID, account,
// region and (if t is zero) time are filled in by Publish.
func NewEvent(source, detailType string, resources []string, t time.Time, detail any) (Event, error) {
	raw, err := json.Marshal(detail)
	if err != nil {
		return Event{}, fmt.Errorf("eventbus: marshal detail: %w", err)
	}
	ev := Event{Source: source, DetailType: detailType, Resources: resources, Detail: raw}
	if !t.IsZero() {
		ev.Time = eventTime(t)
	}
	return ev, nil
}

// Rule routes events matching Pattern to the function Function (one rule per
// EventBridge event source of a function in template.yaml).
type Rule struct {
	Name     string          // for logs, e.g. "StreamEvents.IVSEvent"
	Function string          // target function name (template logical id)
	Pattern  json.RawMessage // EventBridge event pattern
}

// Invoker runs a function with a payload and returns its response. An error
// means the invocation failed (the function's own error or the runtime's).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Config configures a Bus.
type Config struct {
	Account string // default "000000000000"
	Region  string // default "us-east-1"
	Rules   []Rule
	Invoker Invoker
	Now     func() time.Time
	Logger  *slog.Logger
	// Attempts is the number of delivery attempts per matched rule (default 4).
	Attempts int
	// RetryDelay is the first retry delay; it doubles on each retry, capped at
	// 30 s (default 1 s).
	RetryDelay time.Duration
}

// Bus is the default event bus.
type Bus struct {
	cfg    Config
	rules  []compiledRule
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	queues  map[string]*queue
	pending sync.WaitGroup
	workers sync.WaitGroup
	closed  bool
}

type compiledRule struct {
	Rule
	pattern *Pattern
}

// New compiles the rules' patterns and returns a running bus.
func New(cfg Config) (*Bus, error) {
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Second
	}
	if cfg.Invoker == nil && len(cfg.Rules) > 0 {
		return nil, errors.New("eventbus: rules need an Invoker")
	}
	b := &Bus{cfg: cfg, log: cfg.Logger, queues: map[string]*queue{}}
	for _, r := range cfg.Rules {
		p, err := CompilePattern(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("eventbus: rule %s: %w", r.Name, err)
		}
		b.rules = append(b.rules, compiledRule{Rule: r, pattern: p})
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b, nil
}

// Publish completes ev (version, id, account, region, time, resources) and
// queues it for every rule it matches. Delivery is asynchronous and ordered
// per target function. It returns the completed event.
func (b *Bus) Publish(ctx context.Context, ev Event) (Event, error) {
	ev = b.complete(ev)
	raw, err := json.Marshal(ev)
	if err != nil {
		return ev, fmt.Errorf("eventbus: marshal event: %w", err)
	}
	matched := 0
	for _, r := range b.rules {
		ok, err := r.pattern.Match(raw)
		if err != nil {
			return ev, fmt.Errorf("eventbus: match: %w", err)
		}
		if ok {
			matched++
			if err := b.enqueue(delivery{rule: r.Rule, event: ev, payload: raw}); err != nil {
				return ev, err
			}
		}
	}
	b.log.DebugContext(ctx, "eventbus: event published", "event_id", ev.ID, "source", ev.Source,
		"detail_type", ev.DetailType, "matched_rules", matched)
	return ev, nil
}

func (b *Bus) complete(ev Event) Event {
	if ev.Version == "" {
		ev.Version = "0"
	}
	if ev.ID == "" {
		ev.ID = NewUUID()
	}
	if ev.AccountID == "" {
		ev.AccountID = b.cfg.Account
	}
	if ev.Region == "" {
		ev.Region = b.cfg.Region
	}
	if ev.Time.IsZero() {
		ev.Time = b.cfg.Now()
	}
	ev.Time = eventTime(ev.Time)
	if ev.Resources == nil {
		ev.Resources = []string{}
	}
	if len(ev.Detail) == 0 {
		ev.Detail = json.RawMessage("{}")
	}
	return ev
}

// Wait blocks until every queued delivery has finished (delivered or given
// up) or ctx is done. The offline program's shutdown and tests use it.
func (b *Bus) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { b.pending.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops delivery: retries in progress are abandoned and queued events
// dropped. Publish fails afterwards.
func (b *Bus) Close() {
	b.mu.Lock()
	b.closed = true
	for _, q := range b.queues {
		q.close()
	}
	b.mu.Unlock()
	b.cancel()
	b.workers.Wait()
}

type delivery struct {
	rule    Rule
	event   Event
	payload []byte
}

func (b *Bus) enqueue(d delivery) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("eventbus: bus is closed")
	}
	q, ok := b.queues[d.rule.Function]
	if !ok {
		q = newQueue()
		b.queues[d.rule.Function] = q
		b.workers.Add(1)
		go b.work(q)
	}
	b.pending.Add(1)
	q.push(d)
	return nil
}

func (b *Bus) work(q *queue) {
	defer b.workers.Done()
	for {
		d, ok := q.pop()
		if !ok {
			for range q.drain() {
				b.pending.Done()
			}
			return
		}
		b.deliver(d)
		b.pending.Done()
	}
}

func (b *Bus) deliver(d delivery) {
	delay := b.cfg.RetryDelay
	for attempt := 1; attempt <= b.cfg.Attempts; attempt++ {
		if b.ctx.Err() != nil {
			b.log.Warn("eventbus: delivery abandoned (bus closed)", "rule", d.rule.Name,
				"function", d.rule.Function, "event_id", d.event.ID)
			return
		}
		start := time.Now()
		_, err := b.cfg.Invoker.Invoke(b.ctx, d.rule.Function, d.payload)
		attrs := []any{"rule", d.rule.Name, "function", d.rule.Function, "event_id", d.event.ID,
			"source", d.event.Source, "detail_type", d.event.DetailType, "attempt", attempt,
			"duration_ms", time.Since(start).Milliseconds()}
		if err == nil {
			b.log.Info("eventbus: delivered", attrs...)
			return
		}
		attrs = append(attrs, "error", err.Error())
		if attempt == b.cfg.Attempts {
			b.log.Error("eventbus: delivery failed, giving up", attrs...)
			return
		}
		b.log.Warn("eventbus: delivery failed, will retry", append(attrs, "retry_in", delay.String())...)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-b.ctx.Done():
			t.Stop()
		}
		delay *= 2
		if delay > 30*time.Second {
			delay = 30 * time.Second
		}
	}
}

// queue is an unbounded FIFO so that publishers never block on a slow target.
type queue struct {
	mu     sync.Mutex
	items  []delivery
	signal chan struct{}
	done   bool
}

func newQueue() *queue { return &queue{signal: make(chan struct{}, 1)} }

func (q *queue) push(d delivery) {
	q.mu.Lock()
	q.items = append(q.items, d)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *queue) close() {
	q.mu.Lock()
	q.done = true
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// drain removes and returns what is left in a closed queue.
func (q *queue) drain() []delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	left := q.items
	q.items = nil
	return left
}

// pop returns the next delivery; ok is false once the queue is closed (queued
// items are then dropped).
func (q *queue) pop() (delivery, bool) {
	for {
		q.mu.Lock()
		if q.done {
			q.mu.Unlock()
			return delivery{}, false
		}
		if len(q.items) > 0 {
			d := q.items[0]
			q.items[0] = delivery{}
			q.items = q.items[1:]
			q.mu.Unlock()
			return d, true
		}
		q.mu.Unlock()
		<-q.signal
	}
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

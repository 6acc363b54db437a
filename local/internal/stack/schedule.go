package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/onair/onair/local/internal/eventbus"
	"github.com/onair/onair/shared/samtemplate"
)

var rateExpr = regexp.MustCompile(`^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$`)

// parseRate reads an EventBridge rate() expression. cron() is not run
// offline (the schedule is logged and skipped).
func parseRate(expr string) (time.Duration, error) {
	m := rateExpr.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil {
		return 0, fmt.Errorf("not a rate expression: %q", expr)
	}
	n, _ := strconv.Atoi(m[1])
	if n <= 0 {
		return 0, fmt.Errorf("rate must be positive: %q", expr)
	}
	unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour,
		"hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

// schedule is a function's schedule the stack runs: every, under the
// rule named from the template's event.
type schedule struct {
	every time.Duration
	rule  string
}

// startSchedules runs the template's Schedule events on their rate, with the
// payload EventBridge Scheduler sends ("Scheduled Event").
func (s *Stack) startSchedules(ctx context.Context, r samtemplate.Resolver) {
	s.schedules = map[string]schedule{}
	deployed := s.deployed()
	for _, name := range s.tmpl.FunctionNames() {
		if !deployed[name] {
			continue
		}
		for _, sc := range s.tmpl.Functions[name].Schedules {
			if !sc.Enabled {
				continue
			}
			expr := sc.Expression
			if sc.ExpressionValue != nil {
				v, err := samtemplate.Resolve(sc.ExpressionValue, r)
				if err != nil {
					s.log.Warn("schedule not run", "function", name, "err", err)
					continue
				}
				expr = v
			}
			every, err := parseRate(expr)
			if err != nil {
				s.log.Info("schedule not run offline", "function", name, "expression", expr)
				continue
			}
			fn, rule := name, sc.Name
			if _, ok := s.schedules[fn]; !ok {
				s.schedules[fn] = schedule{every: every, rule: rule}
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				t := time.NewTicker(every)
				defer t.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case now := <-t.C:
						if err := s.runScheduled(ctx, fn, rule, now); err != nil {
							s.log.Warn("scheduled run failed", "function", fn, "err", err)
						}
					}
				}
			}()
		}
	}
}

func (s *Stack) runScheduled(ctx context.Context, fn, rule string, now time.Time) error {
	ev := eventbus.Event{
		Version: "0", ID: eventbus.NewUUID(), DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: s.opts.Account, Time: now.UTC().Truncate(time.Second), Region: s.opts.Region,
		Resources: []string{fmt.Sprintf("arn:aws:events:%s:%s:rule/%s-%s-%s", s.opts.Region, s.opts.Account, StackName, fn, rule)},
		Detail:    json.RawMessage("{}"),
	}
	payload, _ := json.Marshal(ev)
	_, err := s.host.Invoke(ctx, fn, payload)
	return err
}

// Schedules returns how often the stack runs each scheduled function.
func (s *Stack) Schedules() map[string]time.Duration {
	out := make(map[string]time.Duration, len(s.schedules))
	for fn, sc := range s.schedules {
		out[fn] = sc.every
	}
	return out
}

// RunSchedule runs fn's schedule now, as its timer does (the same
// "Scheduled Event"), and returns the function's error: for tests, which
// cannot wait for the rate.
func (s *Stack) RunSchedule(ctx context.Context, fn string) error {
	sc, ok := s.schedules[fn]
	if !ok {
		return fmt.Errorf("%s has no schedule the stack runs", fn)
	}
	return s.runScheduled(ctx, fn, sc.rule, s.opts.Now())
}

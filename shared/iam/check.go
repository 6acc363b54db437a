package iam

import (
	"fmt"
	"sort"
	"strings"
)

// Violation is a recorded call that its function's policy does not allow.
type Violation struct {
	Call    Call
	Request Request // zero when the call has no function policy or could not be mapped
	Reason  string
}

func (v Violation) String() string {
	if v.Request.Action == "" {
		return fmt.Sprintf("%s %s: %s", v.Call.Function, v.Call.Service+" "+v.Call.Operation, v.Reason)
	}
	return fmt.Sprintf("%s: %s %s needs %s: %s", v.Call.Function, v.Call.Service, v.Call.Operation, v.Request, v.Reason)
}

// Check evaluates every request of every call against the policy of the
// function that made it, and returns what is not allowed, each once.
func Check(policies map[string]Policy, calls []Call) []Violation {
	return check(policies, calls, func(p Policy, req Request) (Request, string, bool) {
		d := p.Evaluate(req)
		return req, d.Reason, d.Allowed
	})
}

// check runs allowed over every request of every call, with the failures
// every check shares: a call that could not be mapped, a function with no
// policy. Each violation is reported once.
func check(policies map[string]Policy, calls []Call, allowed func(Policy, Request) (Request, string, bool)) []Violation {
	var out []Violation
	seen := map[string]bool{}
	for _, c := range calls {
		if c.Err != "" {
			out = append(out, Violation{Call: c, Reason: c.Err})
			continue
		}
		p, ok := policies[c.Function]
		if !ok {
			out = append(out, Violation{Call: c, Reason: "the function has no policy in the template (is it deployed with these parameters?)"})
			continue
		}
		for _, req := range c.Requests {
			if shown, reason, ok := allowed(p, req); !ok {
				v := Violation{Call: c, Request: shown, Reason: reason}
				if key := v.String(); !seen[key] {
					seen[key] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// Used returns, per function, the distinct actions its recorded calls
// needed, sorted (what a policy must keep).
func Used(calls []Call) map[string][]string {
	sets := map[string]map[string]bool{}
	for _, c := range calls {
		for _, r := range c.Requests {
			if sets[c.Function] == nil {
				sets[c.Function] = map[string]bool{}
			}
			sets[c.Function][r.Action] = true
		}
	}
	out := map[string][]string{}
	for fn, set := range sets {
		for a := range set {
			out[fn] = append(out[fn], a)
		}
		sort.Strings(out[fn])
	}
	return out
}

// Without returns p with action removed from every statement (statements
// left with no action are dropped): the policy as it would be if someone
// deleted that permission, for proving the check catches it.
func (p Policy) Without(action string) Policy {
	var out Policy
	for _, st := range p.Statements {
		var keep []string
		for _, a := range st.Actions {
			if !strings.EqualFold(a, action) {
				keep = append(keep, a)
			}
		}
		if len(keep) == 0 {
			continue
		}
		st.Actions = keep
		out.Statements = append(out.Statements, st)
	}
	return out
}

// CheckActions is Check at the level of actions only: a request passes when
// some Allow statement of the function's policy names its action, whatever
// its resources and conditions. It is for unit tests whose fake AWS
// endpoints name resources of their own rather than the template's; the
// offline stack's tests evaluate resources and conditions too.
func CheckActions(policies map[string]Policy, calls []Call) []Violation {
	return check(policies, calls, func(p Policy, req Request) (Request, string, bool) {
		for _, st := range p.Statements {
			if st.Effect == "Allow" && st.matchesAction(req.Action) {
				return req, "", true
			}
		}
		return Request{Action: req.Action, Resource: req.Resource}, "the policy grants " + req.Action + " on nothing", false
	})
}

// Merge returns the statements of every policy of fn across ps (a
// function's policy under several parameter sets, e.g. both stage token
// modes).
func Merge(ps ...map[string]Policy) map[string]Policy {
	out := map[string]Policy{}
	for _, m := range ps {
		for fn, p := range m {
			q := out[fn]
			q.Statements = append(q.Statements, p.Statements...)
			out[fn] = q
		}
	}
	return out
}

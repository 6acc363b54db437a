package samtemplate

import (
	"errors"
	"fmt"
)

// RuleError is a template rule whose assertion does not hold for the
// parameters: CloudFormation refuses such a deploy with the description.
type RuleError struct {
	Rule, Description string
}

func (e *RuleError) Error() string { return "rule " + e.Rule + ": " + e.Description }

// CheckRules evaluates the template's Rules with r's parameters, as
// CloudFormation does before it creates a change set: for each rule whose
// RuleCondition holds (or that has none), every assertion must hold. It
// returns the failing assertions as *RuleError, joined.
func (t *Template) CheckRules(r Resolver) error {
	r = t.complete(r)
	var errs []error
	for _, name := range sortedKeys(t.Rules) {
		rule := mapOf(t.Rules[name])
		if cond, ok := rule["RuleCondition"]; ok {
			holds, err := r.boolean(cond, 0)
			if err != nil {
				return fmt.Errorf("rule %s: condition: %w", name, err)
			}
			if !holds {
				continue
			}
		}
		for i, a := range listOf(rule["Assertions"]) {
			am := mapOf(a)
			holds, err := r.boolean(am["Assert"], 0)
			if err != nil {
				return fmt.Errorf("rule %s: assertion %d: %w", name, i+1, err)
			}
			if !holds {
				desc, _ := am["AssertDescription"].(string)
				errs = append(errs, &RuleError{Rule: name, Description: desc})
			}
		}
	}
	return errors.Join(errs...)
}

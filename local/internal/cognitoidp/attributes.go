package cognitoidp

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// attribute is Cognito's AttributeType.
type attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

var (
	emailPattern    = regexp.MustCompile(`^[^\s@]+@[^\s@]+$`)
	usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
)

// validationErrors renders the API's constraint violations the way AWS does.
func validationErrors(msgs ...string) *apiError {
	noun := "error"
	if len(msgs) > 1 {
		noun = "errors"
	}
	return newErr("InvalidParameterException", "%d validation %s detected: %s", len(msgs), noun, strings.Join(msgs, "; "))
}

func nullValue(field string) string {
	return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

// required checks that the named parameters (field name, value pairs) are set.
func required(pairs ...string) *apiError {
	var msgs []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			msgs = append(msgs, nullValue(pairs[i]))
		}
	}
	if len(msgs) > 0 {
		return validationErrors(msgs...)
	}
	return nil
}

func checkUsernameShape(username string) *apiError {
	if utf8.RuneCountInString(username) > 128 {
		return validationErrors("Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	if !usernamePattern.MatchString(username) {
		return validationErrors(`Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`)
	}
	return nil
}

func schemaError(problems ...string) *apiError {
	return invalidParameter("Attributes did not conform to the schema: %s", strings.Join(problems, "\n")+"\n")
}

// attrWrite says who writes attributes: a client (public calls, which the
// client's WriteAttributes limit) or an admin.
type attrWrite int

const (
	byClient attrWrite = iota
	byAdmin
)

// checkAttributes validates attributes written to u (nil at sign-up).
func (s *Service) checkAttributes(attrs []attribute, u *userRecord, who attrWrite) *apiError {
	seen := map[string]bool{}
	for _, a := range attrs {
		if a.Name == "" {
			return validationErrors(nullValue("userAttributes.member.name"))
		}
		if seen[a.Name] {
			return invalidParameter("Duplicate attribute name %s", a.Name)
		}
		seen[a.Name] = true
		if a.Name == "sub" {
			return invalidParameter("Cannot modify the non-mutable attribute sub")
		}
		if !s.cfg.knownAttribute(a.Name) {
			if strings.HasPrefix(a.Name, "custom:") {
				return schemaError(fmt.Sprintf("Type for attribute {%s} could not be determined", a.Name))
			}
			return schemaError(a.Name + ": Attribute does not exist in the schema.")
		}
		if who == byClient && !s.cfg.canWrite(a.Name) {
			return notAuthorized(msgUnauthorizedAttr)
		}
		if u != nil && slices.Contains(s.cfg.ImmutableAttributes, a.Name) && u.Attributes[a.Name] != "" && u.Attributes[a.Name] != a.Value {
			return invalidParameter("Cannot modify the non-mutable attribute %s", a.Name)
		}
		if utf8.RuneCountInString(a.Value) > 2048 {
			return schemaError(a.Name + ": String must be no longer than 2048 characters")
		}
		switch a.Name {
		case "email":
			if !emailPattern.MatchString(a.Value) {
				return invalidParameter("Invalid email address format.")
			}
		case "email_verified", "phone_number_verified":
			if a.Value != "true" && a.Value != "false" {
				return invalidParameter("Invalid value for %s: must be true or false.", a.Name)
			}
		case "preferred_username":
			if a.Value != "" {
				if err := checkUsernameShape(a.Value); err != nil {
					return invalidParameter("Invalid preferred_username format.")
				}
			}
		}
	}
	return nil
}

// missingRequired lists required attributes absent from attrs.
func (s *Service) missingRequired(attrs map[string]string) *apiError {
	var problems []string
	for _, name := range s.cfg.RequiredAttributes {
		if attrs[name] == "" {
			problems = append(problems, name+": The attribute is required")
		}
	}
	if len(problems) > 0 {
		return schemaError(problems...)
	}
	return nil
}

// attributeList renders u's attributes for the API: sub first, then by
// name; filter (if not nil) says which to include.
func attributeList(u *userRecord, filter func(string) bool) []attribute {
	out := []attribute{}
	if filter == nil || filter("sub") {
		out = append(out, attribute{Name: "sub", Value: u.Sub})
	}
	names := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if filter == nil || filter(k) {
			out = append(out, attribute{Name: k, Value: u.Attributes[k]})
		}
	}
	return out
}

// changedAttributes applies attrs to u and returns the names whose value
// changed. An empty value deletes the attribute.
func changedAttributes(u *userRecord, attrs []attribute) []string {
	var changed []string
	for _, a := range attrs {
		old, had := u.Attributes[a.Name]
		if a.Value == "" {
			if had {
				delete(u.Attributes, a.Name)
				changed = append(changed, a.Name)
			}
			continue
		}
		if !had || old != a.Value {
			u.Attributes[a.Name] = a.Value
			changed = append(changed, a.Name)
		}
	}
	return changed
}

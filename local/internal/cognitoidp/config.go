package cognitoidp

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Config describes the one user pool and app client the emulator serves. The
// offline program fills it from template.yaml (AWS::Cognito::UserPool and
// AWS::Cognito::UserPoolClient).
type Config struct {
	// DataDir holds cognito.db (users, codes, sessions, signing key, mail).
	DataDir string
	// Region defaults to the prefix of PoolID.
	Region string
	// PoolID is "<region>_<id>", e.g. "us-east-1_AbCdEf123".
	PoolID string
	// PoolName is shown in logs only.
	PoolName string
	// ClientID is the app client's id (26 lowercase alphanumerics in AWS).
	ClientID string
	// IssuerBaseURL is the endpoint's URL; the issuer is IssuerBaseURL + "/" +
	// PoolID. Default http://127.0.0.1:4566.
	IssuerBaseURL string

	// CaseSensitive mirrors UsernameConfiguration.CaseSensitive. The zero
	// value (false) is a case-insensitive pool, as onair's template declares.
	CaseSensitive bool
	// AliasAttributes: "email", "phone_number" and/or "preferred_username".
	AliasAttributes []string
	// AutoVerifiedAttributes: "email" sends a code on sign-up.
	AutoVerifiedAttributes []string
	// RequiredAttributes must be present at sign-up (Schema Required: true).
	RequiredAttributes []string
	// ImmutableAttributes cannot change once set (Schema Mutable: false).
	ImmutableAttributes []string
	// CustomAttributes are the schema's custom attributes, with or without
	// the "custom:" prefix.
	CustomAttributes []string
	// PasswordPolicy; the zero value means Cognito's default policy.
	PasswordPolicy PasswordPolicy

	// ExplicitAuthFlows of the client, e.g. ALLOW_USER_PASSWORD_AUTH,
	// ALLOW_REFRESH_TOKEN_AUTH. Empty allows both.
	ExplicitAuthFlows []string
	// PreventUserExistenceErrors mirrors the client setting ENABLED.
	PreventUserExistenceErrors bool
	// DisableTokenRevocation mirrors EnableTokenRevocation: false.
	DisableTokenRevocation bool
	// ReadAttributes and WriteAttributes of the client; empty means all.
	ReadAttributes  []string
	WriteAttributes []string
	// Token lifetimes; zero means Cognito's defaults (1 h, 1 h, 30 days).
	AccessTokenValidity  time.Duration
	IDTokenValidity      time.Duration
	RefreshTokenValidity time.Duration

	// VerificationEmailSubject and VerificationEmailMessage (which must
	// contain "{####}") are the pool's VerificationMessageTemplate; empty
	// means Cognito's default text. Forgot-password mail uses them too.
	VerificationEmailSubject string
	VerificationEmailMessage string

	// Triggers maps LambdaConfig keys (PreSignUp, CustomMessage,
	// PreAuthentication, PostAuthentication, PostConfirmation) to function
	// names, which Invoker runs.
	Triggers map[string]string
	Invoker  Invoker

	// OnMail is called for every message Cognito would send (after it is
	// stored in the mailbox); the offline program prints it.
	OnMail func(Mail)
	// Logger receives operational logs (never passwords or codes).
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// PasswordHashIterations is the PBKDF2-SHA256 work factor for new
	// password hashes (default 600000; tests lower it).
	PasswordHashIterations int

	// generateKey makes the signing key on first start (tests share one).
	generateKey func() (*rsa.PrivateKey, error)
}

// PasswordPolicy is the pool's Policies.PasswordPolicy.
type PasswordPolicy struct {
	MinimumLength    int
	RequireUppercase bool
	RequireLowercase bool
	RequireNumbers   bool
	RequireSymbols   bool
}

// defaultPasswordPolicy is Cognito's default: 8 characters with upper and
// lower case letters, a number and a symbol.
func defaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
}

// Triggers the emulator invokes (LambdaConfig keys).
const (
	TriggerPreSignUp          = "PreSignUp"
	TriggerCustomMessage      = "CustomMessage"
	TriggerPreAuthentication  = "PreAuthentication"
	TriggerPostAuthentication = "PostAuthentication"
	TriggerPostConfirmation   = "PostConfirmation"
)

var (
	poolIDPattern   = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	clientIDPattern = regexp.MustCompile(`^[\w+]+$`)
)

// standardAttribute reports whether attr is one of the OIDC attributes
// every pool has.
func standardAttribute(attr string) bool {
	switch attr {
	case "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
		"locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
		"picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo":
		return true
	}
	return false
}

func (c *Config) normalize() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("DataDir is required"))
	}
	if !poolIDPattern.MatchString(c.PoolID) {
		errs = append(errs, fmt.Errorf("PoolID %q is not <region>_<id>", c.PoolID))
	}
	if !clientIDPattern.MatchString(c.ClientID) {
		errs = append(errs, fmt.Errorf("ClientID %q is not a client id", c.ClientID))
	}
	if c.Region == "" {
		c.Region, _, _ = strings.Cut(c.PoolID, "_")
	}
	if c.IssuerBaseURL == "" {
		c.IssuerBaseURL = "http://127.0.0.1:4566"
	}
	c.IssuerBaseURL = strings.TrimRight(c.IssuerBaseURL, "/")
	if c.PasswordPolicy == (PasswordPolicy{}) {
		c.PasswordPolicy = defaultPasswordPolicy()
	}
	if c.PasswordPolicy.MinimumLength < 6 {
		// Cognito's floor for MinimumLength.
		c.PasswordPolicy.MinimumLength = 6
	}
	if c.AccessTokenValidity <= 0 {
		c.AccessTokenValidity = time.Hour
	}
	if c.IDTokenValidity <= 0 {
		c.IDTokenValidity = time.Hour
	}
	if c.RefreshTokenValidity <= 0 {
		c.RefreshTokenValidity = 30 * 24 * time.Hour
	}
	if c.VerificationEmailSubject == "" {
		c.VerificationEmailSubject = "Your verification code"
	}
	if c.VerificationEmailMessage == "" {
		c.VerificationEmailMessage = "Your verification code is {####}. "
	} else if !strings.Contains(c.VerificationEmailMessage, codePlaceholder) {
		errs = append(errs, fmt.Errorf("VerificationEmailMessage must contain %s", codePlaceholder))
	}
	for _, a := range c.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			errs = append(errs, fmt.Errorf("alias attribute %q is not email, phone_number or preferred_username", a))
		}
	}
	for _, a := range c.AutoVerifiedAttributes {
		if a != "email" {
			errs = append(errs, fmt.Errorf("auto-verified attribute %q: only email delivery is emulated", a))
		}
	}
	// Keep our own copies: the caller may reuse its slices and maps.
	c.AliasAttributes = slices.Clone(c.AliasAttributes)
	c.AutoVerifiedAttributes = slices.Clone(c.AutoVerifiedAttributes)
	c.RequiredAttributes = slices.Clone(c.RequiredAttributes)
	c.ImmutableAttributes = slices.Clone(c.ImmutableAttributes)
	c.CustomAttributes = slices.Clone(c.CustomAttributes)
	c.ExplicitAuthFlows = slices.Clone(c.ExplicitAuthFlows)
	c.ReadAttributes = slices.Clone(c.ReadAttributes)
	c.WriteAttributes = slices.Clone(c.WriteAttributes)
	c.Triggers = maps.Clone(c.Triggers)
	for i, a := range c.CustomAttributes {
		if !strings.HasPrefix(a, "custom:") {
			c.CustomAttributes[i] = "custom:" + a
		}
	}
	for name := range c.Triggers {
		switch name {
		case TriggerPreSignUp, TriggerCustomMessage, TriggerPreAuthentication, TriggerPostAuthentication, TriggerPostConfirmation:
		default:
			errs = append(errs, fmt.Errorf("trigger %s is not supported by the emulator", name))
		}
	}
	if len(c.Triggers) > 0 && c.Invoker == nil {
		errs = append(errs, errors.New("triggers are set but Invoker is nil"))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.generateKey == nil {
		c.generateKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	if c.PasswordHashIterations <= 0 {
		c.PasswordHashIterations = 600_000
	}
	return errors.Join(errs...)
}

// flowAllowed says whether the client allows flow (USER_PASSWORD_AUTH or
// REFRESH_TOKEN_AUTH). Clients configured with only the legacy names
// (USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, ...) always allow refresh.
func (c *Config) flowAllowed(flow string) bool {
	if len(c.ExplicitAuthFlows) == 0 {
		return true
	}
	if slices.Contains(c.ExplicitAuthFlows, "ALLOW_"+flow) || slices.Contains(c.ExplicitAuthFlows, flow) {
		return true
	}
	if flow == "REFRESH_TOKEN_AUTH" {
		return !slices.ContainsFunc(c.ExplicitAuthFlows, func(f string) bool { return strings.HasPrefix(f, "ALLOW_") })
	}
	return false
}

func (c *Config) isAlias(attr string) bool { return slices.Contains(c.AliasAttributes, attr) }

func (c *Config) autoVerifies(attr string) bool {
	return slices.Contains(c.AutoVerifiedAttributes, attr)
}

func (c *Config) canRead(attr string) bool {
	return attr == "sub" || len(c.ReadAttributes) == 0 || slices.Contains(c.ReadAttributes, attr)
}

func (c *Config) canWrite(attr string) bool {
	if attr == "email_verified" || attr == "phone_number_verified" {
		// Only admins verify attributes directly.
		return false
	}
	return len(c.WriteAttributes) == 0 || slices.Contains(c.WriteAttributes, attr)
}

func (c *Config) knownAttribute(attr string) bool {
	return standardAttribute(attr) || slices.Contains(c.CustomAttributes, attr)
}

package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
)

// CodePlaceholder is what Cognito puts in request.codeParameter and replaces
// with the code after the trigger returns; the message must contain it.
const CodePlaceholder = "{####}"

// Emails writes the user pool's emails (the CustomMessage trigger): the
// confirmation code and the reset code become links to the web app.
type Emails struct {
	// ClientBaseURL is the web app's address (CLIENT_BASE_URL).
	ClientBaseURL string
}

type customMessageEvent struct {
	TriggerSource string `json:"triggerSource"`
	UserName      string `json:"userName"`
	Request       struct {
		CodeParameter string `json:"codeParameter"`
	} `json:"request"`
}

// CustomMessage rewrites the email of a sign-up, a resent code or a
// forgotten password, and returns any other event untouched. It works on the
// raw event so that every field it does not set (smsMessage in particular)
// goes back to Cognito exactly as it came: Cognito would take an empty
// string for a message to send.
func (e *Emails) CustomMessage(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
	var ev customMessageEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("custom message: decode event: %w", err)
	}
	var subject, body string
	switch ev.TriggerSource {
	case "CustomMessage_SignUp", "CustomMessage_ResendCode":
		subject = "Confirm your email"
		body = e.page(ev.UserName,
			"Use the link below to confirm your email for your onair account.",
			e.link("/login", ev.Request.CodeParameter, ev.UserName), "Confirm Email")
	case "CustomMessage_ForgotPassword":
		subject = "Reset your password"
		body = e.page(ev.UserName,
			"We received a request to reset the password of your onair account. The link below is valid for 1 hour. If you did not ask for it, ignore this email.",
			e.link("/reset", ev.Request.CodeParameter, ev.UserName), "Reset Password")
	default:
		return raw, nil
	}

	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("custom message: decode event: %w", err)
	}
	resp := map[string]json.RawMessage{}
	if r, ok := doc["response"]; ok && string(r) != "null" {
		if err := json.Unmarshal(r, &resp); err != nil {
			return nil, fmt.Errorf("custom message: decode response: %w", err)
		}
	}
	resp["emailSubject"], _ = json.Marshal(subject)
	resp["emailMessage"], _ = json.Marshal(body)
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("custom message: encode response: %w", err)
	}
	doc["response"] = b
	return json.Marshal(doc)
}

// link returns <base><path>?code=<code>&username=<user>. The code is
// Cognito's placeholder, which must stay as it is for Cognito to find it
// (escaped it would read %7B%23%23%23%23%7D and the email would carry no
// code); anything else is escaped like the username.
func (e *Emails) link(path, code, username string) string {
	if code != CodePlaceholder {
		code = url.QueryEscape(code)
	}
	return strings.TrimRight(e.ClientBaseURL, "/") + path + "?code=" + code + "&username=" + url.QueryEscape(username)
}

// page is the HTML body: every value is escaped, the link included (its
// "&" becomes "&amp;", which is how an attribute spells it).
func (e *Emails) page(username, text, link, label string) string {
	l := html.EscapeString(link)
	return "<!DOCTYPE html><html><body>" +
		"<p>Hi " + html.EscapeString(username) + ",</p>" +
		"<p>" + html.EscapeString(text) + "</p>" +
		`<p><a href="` + l + `">` + html.EscapeString(label) + "</a></p>" +
		"<p>If the button does not work, copy this address into your browser:<br>" + l + "</p>" +
		"</body></html>"
}

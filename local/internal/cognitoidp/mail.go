package cognitoidp

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// Mail is a message Cognito would have emailed. The mailbox keeps them so
// that people and tests can read the codes.
type Mail struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Body     string    `json:"body"`
	Code     string    `json:"code"`
	Username string    `json:"username"`
	// Kind is the message's purpose: SignUp, ResendCode, ForgotPassword,
	// UpdateUserAttribute or VerifyUserAttribute (the CustomMessage trigger
	// source without its prefix).
	Kind string `json:"kind"`
}

// mailboxLimit bounds the mailbox; the oldest messages go first.
const mailboxLimit = 1000

const (
	codePlaceholder = "{####}"
	linkPlaceholder = "{##Click Here##}"
)

type codeDeliveryDetails struct {
	AttributeName  string `json:"AttributeName"`
	DeliveryMedium string `json:"DeliveryMedium"`
	Destination    string `json:"Destination"`
}

// maskEmail renders an address the way Cognito's CodeDeliveryDetails do:
// "a***@e***".
func maskEmail(addr string) string {
	local, domain, _ := strings.Cut(addr, "@")
	first := func(s string) string {
		if s == "" {
			return ""
		}
		return string([]rune(s)[:1])
	}
	return first(local) + "***@" + first(domain) + "***"
}

func emailDelivery(addr string) *codeDeliveryDetails {
	return &codeDeliveryDetails{AttributeName: "email", DeliveryMedium: "EMAIL", Destination: maskEmail(addr)}
}

// newCode returns a random 6-digit code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// sendCode emails code to u's address as Cognito does for source (a
// CustomMessage trigger source): the CustomMessage trigger may write the
// message; otherwise the pool's verification template is used.
func (s *Service) sendCode(ctx context.Context, u *userRecord, source, code string, clientMetadata map[string]string) error {
	to := u.Attributes["email"]
	subject := s.cfg.VerificationEmailSubject
	body := s.cfg.VerificationEmailMessage
	if s.hasTrigger(TriggerCustomMessage) {
		req := map[string]any{
			"userAttributes":    s.eventAttributes(u),
			"codeParameter":     codePlaceholder,
			"linkParameter":     linkPlaceholder,
			"usernameParameter": nil,
		}
		if clientMetadata != nil {
			req["clientMetadata"] = metadata(clientMetadata)
		}
		resp, err := s.invokeTrigger(ctx, TriggerCustomMessage, source, u.Username, req,
			map[string]any{"smsMessage": nil, "emailMessage": nil, "emailSubject": nil})
		if err != nil {
			return err
		}
		if msg, _ := resp["emailMessage"].(string); msg != "" {
			if strings.Contains(msg, codePlaceholder) {
				body = msg
			} else {
				s.cfg.Logger.Warn("CustomMessage emailMessage has no code placeholder; using the default message", "source", source)
			}
		}
		if subj, _ := resp["emailSubject"].(string); subj != "" {
			subject = subj
		}
	}
	m := Mail{
		ID:       newUUID(),
		Time:     s.cfg.Now().UTC(),
		To:       to,
		Subject:  subject,
		Body:     strings.ReplaceAll(body, codePlaceholder, code),
		Code:     code,
		Username: u.Username,
		Kind:     strings.TrimPrefix(source, "CustomMessage_"),
	}
	if err := s.storeMail(m); err != nil {
		return err
	}
	if s.cfg.OnMail != nil {
		s.cfg.OnMail(m)
	} else {
		s.cfg.Logger.Info("mail", "to", m.To, "subject", m.Subject, "body", m.Body)
	}
	return nil
}

func (s *Service) storeMail(m Mail) error {
	return s.update(func(t *txn) error {
		b := t.bucket(bucketMail)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		key := make([]byte, 8)
		binary.BigEndian.PutUint64(key, seq)
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := b.Put(key, data); err != nil {
			return err
		}
		for b.Stats().KeyN > mailboxLimit {
			k, _ := b.Cursor().First()
			if k == nil {
				break
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Mail returns the messages sent to address (all messages when address is
// empty), newest first.
func (s *Service) Mail(address string) ([]Mail, error) {
	out := []Mail{}
	err := s.view(func(t *txn) error {
		c := t.bucket(bucketMail).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var m Mail
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if address == "" || strings.EqualFold(m.To, address) {
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

// MailHandler serves the mailbox as JSON: GET ?to=<address> lists the
// messages sent to that address, newest first; without to, all of them.
func (s *Service) MailHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		mails, err := s.Mail(strings.TrimSpace(r.URL.Query().Get("to")))
		if err != nil {
			s.cfg.Logger.Error("mailbox read failed", "err", err)
			http.Error(w, "mailbox unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(mails)
	})
}

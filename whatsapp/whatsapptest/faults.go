package whatsapptest

import (
	"encoding/json"
	"net/http"

	"coexsync/whatsapp"
)

// Faults make the fake misbehave. Rates draw from the seeded generator,
// so a given seed and call sequence always fails the same calls.
type Faults struct {
	ServerErrorRate float64 // Graph calls answered 500 code 131000
	ThrottleRate    float64 // Graph calls answered 400 code 80007
	ServerErrorNext int     // the next n Graph calls answer 500 code 131000
	ThrottleNext    int     // the next n Graph calls are throttled (after ServerErrorNext)
	PermissionNext  int     // the next n Graph calls answer 403 code 200
	TruncateBody    bool    // successful Graph answers are cut in half
	BadSignature    bool    // webhooks are signed with the wrong secret
	ForeignNext     bool    // paging.next points at another host
	TokenInNext     bool    // paging.next carries access_token, as Graph may
	WebhookFailNext int     // the next n webhook attempts are not sent and count as failed
}

// SetFaults replaces the faults in effect.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

var (
	errServer = graphErr{status: 500, code: whatsapp.CodeGenericRetry, typ: "OAuthException",
		message: "(#131000) Something went wrong"}
	errThrottle = graphErr{status: 400, code: whatsapp.CodeBizThrottled, typ: "OAuthException",
		message: "(#80007) Rate limit hit for WhatsApp Business Account"}
	errPermission = graphErr{status: 403, code: whatsapp.CodePermissionAlt, typ: "OAuthException",
		message: "(#200) Requires whatsapp_business_management permission"}
)

// injectFault picks the failure for this Graph call, if any.
func (s *Server) injectFault() *graphErr {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	pick := func(e graphErr) *graphErr { return &e }
	switch {
	case f.ServerErrorNext > 0:
		f.ServerErrorNext--
		return pick(errServer)
	case f.ThrottleNext > 0:
		f.ThrottleNext--
		return pick(errThrottle)
	case f.PermissionNext > 0:
		f.PermissionNext--
		return pick(errPermission)
	case f.ServerErrorRate > 0 && s.rng.Float64() < f.ServerErrorRate:
		return pick(errServer)
	case f.ThrottleRate > 0 && s.rng.Float64() < f.ThrottleRate:
		return pick(errThrottle)
	}
	return nil
}

// writeOK answers 200 with v, or half of it under TruncateBody.
func (s *Server) writeOK(w http.ResponseWriter, v any) {
	s.mu.Lock()
	truncate := s.faults.TruncateBody
	s.mu.Unlock()
	body, _ := json.Marshal(v)
	if truncate {
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// webhookFault reports whether this delivery attempt is dropped, and the
// secret to sign it with.
func (s *Server) webhookFault() (drop bool, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	secret = s.opts.AppSecret
	if s.faults.BadSignature {
		secret = "not-" + secret
	}
	if s.faults.WebhookFailNext > 0 {
		s.faults.WebhookFailNext--
		return true, secret
	}
	return false, secret
}

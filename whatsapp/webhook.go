package whatsapp

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"coexsync/bizapp"
)

// DefaultMaxBody bounds one webhook body; Meta's bodies are far smaller.
const DefaultMaxBody = 1 << 20

// SourceWebhook is the source name webhook bodies are saved under.
const SourceWebhook = "webhook"

// Webhook receives Meta's webhook deliveries: the GET verification
// handshake and signed POSTs whose smb_app_state_sync contacts it saves
// through Sink before answering, so a 200 always means "stored".
type Webhook struct {
	AppSecret   string // signs every POST body; empty refuses all POSTs
	VerifyToken string // the handshake token set in the Meta app; empty refuses all
	Sink        Sink
	MaxBody     int64                   // 0: DefaultMaxBody
	OnSaved     func(bizapp.SaveResult) // optional, called after each save
	Now         func() time.Time        // stamps events that came without a time
	Log         *slog.Logger            // optional; never given a secret
	OnWarning   func(warnings []string) // optional: items that were skipped
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.handshake(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		h.reject(r, http.StatusMethodNotAllowed, "method not allowed", nil)
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// reject logs one line per refused request, so an operator sees why Meta
// keeps retrying. It never logs a header, a query value or the body: the
// signature, the verify token a caller tried and the contacts stay out.
func (h *Webhook) reject(r *http.Request, status int, reason string, err error, attrs ...any) {
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	attrs = append([]any{"status", status, "reason", reason, "method", r.Method, "remote", r.RemoteAddr}, attrs...)
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	h.logger().Log(r.Context(), level, "webhook request rejected", attrs...)
}

func (h *Webhook) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	ok := h.VerifyToken != "" && q.Get("hub.mode") == "subscribe" &&
		subtle.ConstantTimeCompare([]byte(token), []byte(h.VerifyToken)) == 1
	if !ok {
		reason := "verify token does not match"
		if q.Get("hub.mode") != "subscribe" {
			reason = "hub.mode is not subscribe"
		}
		if h.VerifyToken == "" {
			reason = "no verify token configured"
		}
		h.reject(r, http.StatusForbidden, reason, nil)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, q.Get("hub.challenge"))
}

func (h *Webhook) receive(w http.ResponseWriter, r *http.Request) {
	if h.AppSecret == "" || h.Sink == nil {
		// Answering non-200 makes Meta retry, so nothing is lost while the
		// receiver is being configured.
		h.reject(r, http.StatusInternalServerError, "not configured: app secret or store missing; Meta will retry", nil)
		http.Error(w, "webhook not configured", http.StatusInternalServerError)
		return
	}
	body, err := h.readBody(r)
	if err != nil {
		status, reason := http.StatusBadRequest, "body could not be read"
		if errors.Is(err, errTooLarge) {
			status, reason = http.StatusRequestEntityTooLarge, "body too large"
		}
		h.reject(r, status, reason, err, "content_length", r.ContentLength)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !validSignature(h.AppSecret, body, r.Header.Get("X-Hub-Signature-256")) {
		reason := "signature wrong"
		if r.Header.Get("X-Hub-Signature-256") == "" {
			reason = "signature missing"
		}
		h.reject(r, http.StatusUnauthorized, reason, nil, "bytes", len(body))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	parsed, err := Parse(body)
	if err != nil {
		h.reject(r, http.StatusBadRequest, "malformed body", err, "bytes", len(body))
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	if len(parsed.Warnings) > 0 && h.OnWarning != nil {
		h.OnWarning(parsed.Warnings)
	}
	if parsed.StateSyncChanges == 0 {
		// Other fields (messages, statuses, history) are not ours: accept
		// them so Meta does not retry, store nothing.
		w.WriteHeader(http.StatusOK)
		return
	}
	h.stampMissingTimes(parsed.Events)
	saved, err := h.Sink.SaveContactEvents(r.Context(), SourceWebhook, body, parsed.Events)
	if err != nil {
		h.reject(r, http.StatusInternalServerError, "not saved; Meta will retry", err, "bytes", len(body))
		http.Error(w, "not saved", http.StatusInternalServerError)
		return
	}
	if h.OnSaved != nil {
		h.OnSaved(saved)
	}
	w.WriteHeader(http.StatusOK)
}

var errTooLarge = errors.New("webhook body too large")

// readBody reads at most MaxBody bytes; one byte more means oversize.
func (h *Webhook) readBody(r *http.Request) ([]byte, error) {
	limit := h.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, errTooLarge
	}
	return body, nil
}

// stampMissingTimes gives undated live events their arrival time, the best
// estimate of when the change happened.
func (h *Webhook) stampMissingTimes(events []bizapp.ContactEvent) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	for i := range events {
		if events[i].Timestamp.IsZero() {
			events[i].Timestamp = now().UTC()
		}
	}
}

func (h *Webhook) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.New(slog.DiscardHandler)
}

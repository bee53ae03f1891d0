package whatsapp

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"coexsync/store"
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
	OnSaved     func(store.SaveResult)  // optional, called after each save
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
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *Webhook) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	ok := h.VerifyToken != "" && q.Get("hub.mode") == "subscribe" &&
		subtle.ConstantTimeCompare([]byte(token), []byte(h.VerifyToken)) == 1
	if !ok {
		h.logger().Warn("webhook verification refused")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, q.Get("hub.challenge"))
}

func (h *Webhook) receive(w http.ResponseWriter, r *http.Request) {
	log := h.logger()
	if h.AppSecret == "" || h.Sink == nil {
		// Answering non-200 makes Meta retry, so nothing is lost while the
		// receiver is being configured.
		log.Error("webhook not configured: app secret or store missing")
		http.Error(w, "webhook not configured", http.StatusInternalServerError)
		return
	}
	body, err := h.readBody(r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		log.Warn("webhook body refused", "err", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if !validSignature(h.AppSecret, body, r.Header.Get("X-Hub-Signature-256")) {
		log.Warn("webhook signature missing or wrong", "bytes", len(body))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	parsed, err := Parse(body)
	if err != nil {
		log.Warn("webhook body unreadable", "err", err)
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
		log.Error("webhook body not saved; Meta will retry", "err", err)
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
func (h *Webhook) stampMissingTimes(events []store.ContactEvent) {
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

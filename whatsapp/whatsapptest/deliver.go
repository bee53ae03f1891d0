package whatsapptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"coexsync/whatsapp"
)

// Webhook body shapes, as Meta sends smb_app_state_sync.
type (
	hookBody struct {
		Object string      `json:"object"`
		Entry  []hookEntry `json:"entry"`
	}
	hookEntry struct {
		ID      string       `json:"id"`
		Changes []hookChange `json:"changes"`
	}
	hookChange struct {
		Field string    `json:"field"`
		Value hookValue `json:"value"`
	}
	hookValue struct {
		MessagingProduct string            `json:"messaging_product"`
		Metadata         map[string]string `json:"metadata"`
		StateSync        []hookItem        `json:"state_sync"`
	}
	hookItem struct {
		Type     string            `json:"type"`
		Contact  hookContact       `json:"contact"`
		Action   string            `json:"action"`
		Metadata map[string]string `json:"metadata"`
	}
	hookContact struct {
		FullName    string `json:"full_name,omitempty"`
		FirstName   string `json:"first_name,omitempty"`
		PhoneNumber string `json:"phone_number,omitempty"`
		UserID      string `json:"user_id,omitempty"`
		Username    string `json:"username,omitempty"`
	}
)

// WebhookBodies renders contacts as the smb_app_state_sync bodies Meta
// would send for the number, perPost contacts per body, timestamps rising
// one second per contact from start so later edits win.
func WebhookBodies(wabaID string, n whatsapp.PhoneNumber, contacts []Contact, perPost int, start time.Time) [][]byte {
	var bodies [][]byte
	for from := 0; from < len(contacts); from += perPost {
		bodies = append(bodies, webhookBody(wabaID, n, contacts, from, min(from+perPost, len(contacts)), start))
	}
	return bodies
}

// webhookBody renders contacts[from:to] as one body of WebhookBodies.
func webhookBody(wabaID string, n whatsapp.PhoneNumber, contacts []Contact, from, to int, start time.Time) []byte {
	items := make([]hookItem, 0, to-from)
	for i, c := range contacts[from:to] {
		action := c.Action
		if action == "" {
			action = "add"
		}
		ts := start.Add(time.Duration(from+i) * time.Second).Unix()
		items = append(items, hookItem{Type: "contact", Action: action,
			Contact:  hookContact{c.FullName, c.FirstName, c.Phone, c.UserID, c.Username},
			Metadata: map[string]string{"timestamp": strconv.FormatInt(ts, 10)}})
	}
	body, _ := json.Marshal(hookBody{Object: whatsapp.ObjectWABA, Entry: []hookEntry{{
		ID: wabaID, Changes: []hookChange{{Field: whatsapp.FieldStateSync, Value: hookValue{
			MessagingProduct: "whatsapp",
			Metadata:         map[string]string{"display_phone_number": n.DisplayPhoneNumber, "phone_number_id": n.ID},
			StateSync:        items,
		}}},
	}}})
	return body
}

// startDelivery sends the number's contacts to the webhook in the
// background, one body after another so their order holds. The contacts
// are fetched from their source and rendered body by body as they go out,
// so a large address book is held only while it is delivered.
func (s *Server) startDelivery(numberID string) {
	s.mu.Lock()
	n, _ := s.number(numberID)
	url := s.webhookURL
	source := s.contacts[numberID]
	start := s.opts.Now()
	// Add under the lock Close takes, so Close never waits on a group
	// that can still grow.
	if url == "" || s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		var contacts []Contact
		if source != nil {
			contacts = source()
		}
		per := s.opts.ContactsPerPost
		for from := 0; from < len(contacts); from += per {
			body := webhookBody(s.opts.WABAID, n, contacts, from, min(from+per, len(contacts)), start)
			ok := s.deliver(url, body)
			s.mu.Lock()
			if ok {
				s.delivered++
			} else {
				s.failed++
			}
			s.mu.Unlock()
		}
	}()
}

// deliver POSTs one body until it gets a 200, at most DeliveryAttempts
// times, as Meta retries failed deliveries.
func (s *Server) deliver(url string, body []byte) bool {
	for attempt := 1; attempt <= s.opts.DeliveryAttempts; attempt++ {
		if attempt > 1 {
			select {
			case <-s.ctx.Done():
				return false
			case <-time.After(s.opts.RetryDelay):
			}
		}
		s.count(CallWebhook)
		drop, secret := s.webhookFault()
		if !drop && s.post(url, body, secret) {
			return true
		}
	}
	return false
}

func (s *Server) post(url string, body []byte, secret string) bool {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(secret, body))
	resp, err := s.hook.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

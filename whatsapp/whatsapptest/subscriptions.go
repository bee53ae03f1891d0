package whatsapptest

import (
	"crypto/hmac"
	"maps"
	"net/http"
	"strings"
	"time"

	"coexsync/whatsapp"
)

// Endpoint names used by Calls for the read-only subscription edges.
const (
	CallSubscribedApps   = "subscribed_apps"
	CallAppSubscriptions = "subscriptions"
)

// DefaultAppID is the fake Meta app whose webhooks the fake WABA sends.
const DefaultAppID = "300000000000001"

// subscriptionState is what the subscription edges answer, and the
// fake's clock skew. The zero value is a healthy setup.
type subscriptionState struct {
	unsubscribed bool // the app is not subscribed to the WABA
	noField      bool // the app's whatsapp_business_account object lacks smb_app_state_sync
	appID        string
	skew         time.Duration // added to the Date header of every answer
	methods      map[string]int
}

// SetAppSubscribed says whether the fake app is subscribed to the WABA
// (GET /{WABA_ID}/subscribed_apps lists it); it is by default.
func (s *Server) SetAppSubscribed(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs.unsubscribed = !ok
}

// SetFieldSubscribed says whether the fake app's webhook subscription
// carries smb_app_state_sync; it does by default.
func (s *Server) SetFieldSubscribed(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs.noField = !ok
}

// SetClockSkew moves the Date header of every answer by d, as a server
// (or a client machine) with a wrong clock would appear.
func (s *Server) SetClockSkew(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs.skew = d
}

// AppID is the fake Meta app's id.
func (s *Server) AppID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs.appID == "" {
		return DefaultAppID
	}
	return s.subs.appID
}

// Methods counts every request by HTTP method, refused ones included.
func (s *Server) Methods() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.subs.methods)
}

// serveSubscriptions counts the request's method, sets the Date header,
// and answers the subscription edges; false leaves r to serve.
func (s *Server) serveSubscriptions(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	if s.subs.methods == nil {
		s.subs.methods = map[string]int{}
	}
	s.subs.methods[r.Method]++
	st := s.subs
	s.mu.Unlock()
	// net/http adds Date only when the handler set none.
	w.Header().Set("Date", s.opts.Now().Add(st.skew).UTC().Format(http.TimeFormat))
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 3 || parts[0] != s.opts.Version {
		return false
	}
	appID := s.AppID()
	switch {
	case parts[2] == CallSubscribedApps && r.Method == http.MethodGet:
		s.count(CallSubscribedApps)
		if refusal := s.checkAuth(r); refusal != nil {
			refusal.write(w)
			return true
		}
		if parts[1] != s.opts.WABAID {
			unknownObject(parts[1]).write(w)
			return true
		}
		data := []any{}
		if !st.unsubscribed {
			data = append(data, map[string]any{"whatsapp_business_api_data": map[string]string{
				"id": appID, "name": "coexsync fake app", "link": "https://www.facebook.com/games/?app_id=" + appID,
			}})
		}
		s.writeOK(w, map[string]any{"data": data})
		return true
	case parts[2] == CallAppSubscriptions && r.Method == http.MethodGet:
		s.count(CallAppSubscriptions)
		s.appSubscriptions(w, r, parts[1], appID, st)
		return true
	}
	return false
}

// appSubscriptions answers GET /{APP_ID}/subscriptions, which Graph serves
// to an app access token ("APP_ID|APP_SECRET") only.
func (s *Server) appSubscriptions(w http.ResponseWriter, r *http.Request, id, appID string, st subscriptionState) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	want := appID + "|" + s.opts.AppSecret
	if s.opts.AppSecret == "" || !hmac.Equal([]byte(token), []byte(want)) {
		(&graphErr{status: 400, code: whatsapp.CodeInvalidParam, typ: "OAuthException",
			message: "(#15) This method must be called with an app access_token."}).write(w)
		return
	}
	if id != appID {
		unknownObject(id).write(w)
		return
	}
	fields := []map[string]string{{"name": "messages", "version": s.opts.Version}}
	if !st.noField {
		fields = append(fields, map[string]string{"name": whatsapp.FieldContactsSync, "version": s.opts.Version})
	}
	s.writeOK(w, map[string]any{"data": []any{map[string]any{
		"object": whatsapp.WebhookObject, "callback_url": "https://example.invalid/webhook",
		"active": true, "fields": fields,
	}}})
}

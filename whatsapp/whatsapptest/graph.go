package whatsapptest

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"coexsync/whatsapp"
)

// graphErr is a Graph error answer.
type graphErr struct {
	status    int
	code      int
	subcode   int
	typ       string
	message   string
	transient bool // is_transient, as Graph sets it on code 4
}

func (e *graphErr) write(w http.ResponseWriter) {
	body := map[string]any{"error": map[string]any{
		"message":    e.message,
		"type":       e.typ,
		"code":       e.code,
		"fbtrace_id": "AbCdEfFake" + strconv.Itoa(e.code),
	}}
	if e.subcode != 0 {
		body["error"].(map[string]any)["error_subcode"] = e.subcode
	}
	if e.transient {
		body["error"].(map[string]any)["is_transient"] = true
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func unknownPath(path string) *graphErr {
	return &graphErr{status: 400, code: whatsapp.CodeInvalidParam, typ: "GraphMethodException",
		message: fmt.Sprintf("Unknown path components: %s", path)}
}

func unknownObject(id string) *graphErr {
	return &graphErr{status: 400, code: whatsapp.CodeInvalidParam, subcode: whatsapp.SubcodeUnknownNode,
		typ:     "GraphMethodException",
		message: fmt.Sprintf("Unsupported request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", id)}
}

// checkAuth refuses calls as Graph does, plus one rule of coexsync's own:
// a token in the URL is refused so a client that leaks it fails tests.
func (s *Server) checkAuth(r *http.Request) *graphErr {
	q := r.URL.Query()
	if q.Has("access_token") {
		return &graphErr{status: 400, code: whatsapp.CodeInvalidParam, typ: "OAuthException",
			message: "fake Graph API: access_token must not be sent in the URL"}
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" || (s.opts.Token != "" && !hmac.Equal([]byte(token), []byte(s.opts.Token))) {
		return &graphErr{status: 401, code: whatsapp.CodeTokenInvalid, typ: "OAuthException",
			message: "Invalid OAuth access token - Cannot parse access token"}
	}
	if s.opts.AppSecret != "" {
		want := whatsapp.AppSecretProof(s.opts.AppSecret, token)
		if !hmac.Equal([]byte(q.Get("appsecret_proof")), []byte(want)) {
			return &graphErr{status: 400, code: whatsapp.CodeInvalidParam, typ: "GraphMethodException",
				message: "Invalid appsecret_proof provided in the API argument"}
		}
	}
	return nil
}

func (s *Server) phoneNumbers(w http.ResponseWriter, r *http.Request, wabaID string) {
	if wabaID != s.opts.WABAID {
		unknownObject(wabaID).write(w)
		return
	}
	start, err := decodeCursor(r.URL.Query().Get("after"))
	if err != nil {
		(&graphErr{status: 400, code: whatsapp.CodeInvalidParam, typ: "GraphMethodException",
			message: "Invalid cursor"}).write(w)
		return
	}
	s.mu.Lock()
	numbers := s.numbers
	faults := s.faults
	s.mu.Unlock()
	start = min(start, len(numbers))
	end := min(start+s.opts.PageSize, len(numbers))
	page := map[string]any{"data": numbers[start:end]}
	paging := map[string]any{"cursors": map[string]string{
		"before": encodeCursor(start), "after": encodeCursor(end),
	}}
	if end < len(numbers) {
		paging["next"] = s.nextURL(r, end, faults)
	}
	page["paging"] = paging
	s.writeOK(w, page)
}

// nextURL is absolute, as Graph's is; faults can point it elsewhere or put
// the token in it (real Graph does when the token came in the query).
func (s *Server) nextURL(r *http.Request, end int, f Faults) string {
	host := r.Host
	if f.ForeignNext {
		host = "attacker.invalid"
	}
	q := r.URL.Query()
	q.Set("after", encodeCursor(end))
	q.Set("limit", strconv.Itoa(s.opts.PageSize))
	q.Del("appsecret_proof")
	if f.TokenInNext {
		q.Set("access_token", s.opts.Token)
	}
	return "http://" + host + r.URL.Path + "?" + q.Encode()
}

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("idx:" + strconv.Itoa(i)))
}

func decodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(string(b), "idx:")
	if !ok {
		return 0, fmt.Errorf("bad cursor")
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("bad cursor")
	}
	return i, nil
}

// SyncRefusedMessage is the fake's refusal text: "(#4)" and a localized
// "sync request limit exceeded" (here Portuguese), so a client that
// matched on English text would fail its tests.
const SyncRefusedMessage = "(#4) Limite de solicitações de sincronização excedido"

func (s *Server) syncRequest(w http.ResponseWriter, r *http.Request, numberID string) {
	var req struct {
		MessagingProduct string `json:"messaging_product"`
		SyncType         string `json:"sync_type"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil ||
		req.MessagingProduct != "whatsapp" || req.SyncType != "smb_app_state_sync" {
		(&graphErr{status: 400, code: whatsapp.CodeInvalidParam, typ: "OAuthException",
			message: "(#100) Param sync_type must be one of {smb_app_state_sync, history}"}).write(w)
		return
	}
	s.mu.Lock()
	n, found := s.number(numberID)
	state := s.syncState[numberID]
	if found && n.IsOnBizApp && state == "" {
		s.syncState[numberID] = "requested"
		s.requests++
	}
	reqNo := s.requests
	s.mu.Unlock()
	switch {
	case !found:
		unknownObject(numberID).write(w)
	case !n.IsOnBizApp:
		(&graphErr{status: 400, code: whatsapp.CodeInvalidParam, subcode: whatsapp.SubcodeNotOnBizApp,
			typ: "OAuthException", message: "(#100) This phone number is not connected to the WhatsApp Business app"}).write(w)
	case state != "":
		// A second or late request, as Meta was seen to refuse one: code
		// 4 (the code of "application request limit") with a message in
		// the account's language. is_transient is set as on Graph's other
		// code 4 answers, though a retry can never succeed.
		(&graphErr{status: 400, code: whatsapp.CodeThrottled, typ: "OAuthException", transient: true,
			message: SyncRefusedMessage}).write(w)
	default:
		s.startDelivery(numberID)
		s.writeOK(w, map[string]string{"messaging_product": "whatsapp", "request_id": fmt.Sprintf("sync-%s-%d", numberID, reqNo)})
	}
}

// number finds a number by id; s.mu must be held.
func (s *Server) number(id string) (whatsapp.PhoneNumber, bool) {
	for _, n := range s.numbers {
		if n.ID == id {
			return n, true
		}
	}
	return whatsapp.PhoneNumber{}, false
}

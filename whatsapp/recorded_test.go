package whatsapp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/whatsapp"
)

// TestRecordedCode4: the published code 4 answer is throttling on the
// numbers list (retried) and a refusal on the contact sync request (sent
// once, IsSyncRefused), whatever its message says.
func TestRecordedCode4(t *testing.T) {
	raw, err := os.ReadFile("testdata/recorded.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Responses []struct {
			Name   string
			Source string
			Status int
			Body   json.RawMessage
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Responses) == 0 || file.Responses[0].Source == "" {
		t.Fatalf("testdata: %v", err)
	}
	ans := file.Responses[0]
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ans.Status)
		_, _ = w.Write(ans.Body)
	}))
	defer srv.Close()
	c := whatsapp.NewClient(whatsapp.Config{BaseURL: srv.URL, Token: "t",
		Retry: crm.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})

	_, err = c.PhoneNumbers(t.Context(), "123")
	ge, ok := err.(*whatsapp.GraphError)
	if !ok || !ge.Throttled() || whatsapp.IsSyncRefused(err) || calls.Load() != 3 {
		t.Errorf("numbers list: %v after %d calls, want throttling retried 3 times", err, calls.Load())
	}

	calls.Store(0)
	_, err = c.RequestContactSync(t.Context(), "456")
	ge, ok = err.(*whatsapp.GraphError)
	if !ok || !whatsapp.IsSyncRefused(err) || ge.Throttled() || ge.Temporary() || calls.Load() != 1 {
		t.Errorf("sync request: %v after %d calls, want a refusal sent once", err, calls.Load())
	}
}

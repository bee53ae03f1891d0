package whatsapp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// recordingServer answers every request with status and body and keeps
// the requests it saw.
func recordingServer(t *testing.T, seen *[]*http.Request, status int, body string) string {
	t.Helper()
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*seen = append(*seen, r.Clone(context.Background()))
		mu.Unlock()
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestEveryErrorPathKeepsSecretsOut drives each failure the client can meet
// and checks the error is the right kind, has a fitting hint, and holds no
// credential.
func TestEveryErrorPathKeepsSecretsOut(t *testing.T) {
	ctx := context.Background()
	listNumbers := func(c *whatsapp.Client, waba string) error { _, err := c.PhoneNumbers(ctx, waba); return err }
	requestSync := func(c *whatsapp.Client, id string) error { _, err := c.RequestContactSync(ctx, id); return err }
	fakeWith := func(opts whatsapptest.Options, f whatsapptest.Faults) *whatsapptest.Server {
		fake := whatsapptest.New(opts)
		t.Cleanup(fake.Close)
		fake.AddNumber(whatsapp.PhoneNumber{ID: "1000", IsOnBizApp: true})
		fake.AddNumber(whatsapp.PhoneNumber{ID: "1001", IsOnBizApp: false})
		fake.SetFaults(f)
		return fake
	}
	std := whatsapptest.Options{Token: leakToken, AppSecret: leakSecret}
	closedURL := func() string { s := httptest.NewServer(http.NotFoundHandler()); s.Close(); return s.URL }()
	echoSecrets := `{"error":{"message":"bad token ` + leakToken + ` for secret ` + leakSecret + `\u001b[2J","type":"OAuthException","code":190,"fbtrace_id":"T1"}}`
	var seen []*http.Request

	cases := []struct {
		name     string
		run      func() error
		code     int
		hint     string
		attempts int // calls the fake saw; 0 = not checked
		fake     *whatsapptest.Server
	}{
		{name: "wrong token", code: 190, hint: "invalid or expired", run: func() error {
			f := fakeWith(whatsapptest.Options{Token: "another-token", AppSecret: leakSecret}, whatsapptest.Faults{})
			return listNumbers(clientFor(f, leakToken, leakSecret), f.WABAID())
		}},
		{name: "permission", code: 200, hint: "whatsapp_business_management", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{PermissionNext: 1})
			return listNumbers(clientFor(f, leakToken, leakSecret), f.WABAID())
		}},
		{name: "unknown waba", code: 100, hint: "Business Account ID", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{})
			return listNumbers(clientFor(f, leakToken, leakSecret), "999")
		}},
		{name: "unknown number", code: 100, hint: "phone number ID", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{})
			return requestSync(clientFor(f, leakToken, leakSecret), "999")
		}},
		{name: "not on business app", code: 100, hint: "not a Coexistence number", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{})
			return requestSync(clientFor(f, leakToken, leakSecret), "1001")
		}},
		{name: "sync window passed", code: 4, hint: "one-time request for this number is spent", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{})
			f.ExpireSyncWindow("1000")
			err := requestSync(clientFor(f, leakToken, leakSecret), "1000")
			if n := f.Calls()[whatsapptest.CallSyncRequest]; n != 1 {
				t.Errorf("refused request sent %d times", n)
			}
			return err
		}},
		{name: "throttled every time", code: 80007, hint: "throttling", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{ThrottleRate: 1})
			return requestSync(clientFor(f, leakToken, leakSecret), "1000")
		}},
		{name: "server error every time", code: 131000, hint: "temporary failure", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{ServerErrorRate: 1})
			return listNumbers(clientFor(f, leakToken, leakSecret), f.WABAID())
		}},
		{name: "truncated answer to GET is retried", hint: "unreadable", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{TruncateBody: true})
			err := listNumbers(clientFor(f, leakToken, leakSecret), f.WABAID())
			if n := f.Calls()[whatsapptest.CallPhoneNumbers]; n != fastRetry.MaxAttempts {
				t.Errorf("GET tried %d times", n)
			}
			return err
		}},
		{name: "truncated answer to sync request is not repeated", hint: "unreadable", run: func() error {
			f := fakeWith(std, whatsapptest.Faults{TruncateBody: true})
			err := requestSync(clientFor(f, leakToken, leakSecret), "1000")
			if n := f.Calls()[whatsapptest.CallSyncRequest]; n != 1 {
				t.Errorf("POST tried %d times", n)
			}
			return err
		}},
		{name: "html 502", hint: "unreadable", run: func() error {
			u := recordingServer(t, &seen, 502, "<html>Bad Gateway</html>")
			return listNumbers(whatsapp.NewClient(whatsapp.Config{BaseURL: u, Token: leakToken, AppSecret: leakSecret, Retry: fastRetry}), "1")
		}},
		{name: "html 404 is not retried", hint: "unreadable", run: func() error {
			var mine []*http.Request
			u := recordingServer(t, &mine, 404, "<html>Not Found</html>")
			err := listNumbers(whatsapp.NewClient(whatsapp.Config{BaseURL: u, Token: leakToken, Retry: fastRetry}), "1")
			if len(mine) != 1 {
				t.Errorf("a 404 page was tried %d times", len(mine))
			}
			return err
		}},
		{name: "error echoing the credentials", code: 190, hint: "invalid or expired", run: func() error {
			u := recordingServer(t, &seen, 400, echoSecrets)
			return listNumbers(whatsapp.NewClient(whatsapp.Config{BaseURL: u, Token: leakToken, AppSecret: leakSecret, Retry: fastRetry}), "1")
		}},
		{name: "garbage 200", hint: "unreadable", run: func() error {
			u := recordingServer(t, &seen, 200, "not json "+leakToken)
			return requestSync(whatsapp.NewClient(whatsapp.Config{BaseURL: u, Token: leakToken, AppSecret: leakSecret, Retry: fastRetry}), "1")
		}},
		{name: "unreachable", hint: "could not be reached", run: func() error {
			return requestSync(whatsapp.NewClient(whatsapp.Config{BaseURL: closedURL, Token: leakToken, AppSecret: leakSecret, Retry: fastRetry}), "1")
		}},
		{name: "bad base URL", run: func() error {
			return listNumbers(whatsapp.NewClient(whatsapp.Config{BaseURL: "ftp://x/" + leakToken, Token: leakToken, Retry: fastRetry}), "1")
		}},
		{name: "id that would change the path", run: func() error {
			return requestSync(whatsapp.NewClient(whatsapp.Config{BaseURL: closedURL, Token: leakToken, Retry: fastRetry}), "../me?x=1")
		}},
		{name: "token pasted as the account id", run: func() error {
			return listNumbers(whatsapp.NewClient(whatsapp.Config{BaseURL: closedURL, Token: leakToken, Retry: fastRetry}), leakToken+"/x")
		}},
	}
	proof := whatsapp.AppSecretProof(leakSecret, leakToken)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatal("no error")
			}
			text := err.Error()
			var hint string
			if ge, ok := err.(*whatsapp.GraphError); ok {
				hint = ge.Hint()
				if ge.Code != c.code {
					t.Errorf("code %d, want %d (%v)", ge.Code, c.code, err)
				}
			} else if c.hint != "" {
				t.Fatalf("%T %v, want a GraphError", err, err)
			}
			if !strings.Contains(hint, c.hint) {
				t.Errorf("hint %q, want it to mention %q", hint, c.hint)
			}
			for _, secret := range []string{leakToken, leakSecret, proof, "\x1b"} {
				if strings.Contains(text, secret) || strings.Contains(hint, secret) {
					t.Errorf("error %q leaks %q", text, secret)
				}
			}
		})
	}
}

func TestGraphErrorClassification(t *testing.T) {
	cases := []struct {
		e         whatsapp.GraphError
		temporary bool
		hint      string
	}{
		{whatsapp.GraphError{Status: 400, Code: 4}, true, "throttling"},
		{whatsapp.GraphError{Status: 400, Code: 130429}, true, "throttling"},
		{whatsapp.GraphError{Status: 429}, true, "throttling"},
		{whatsapp.GraphError{Status: 500, Code: 2}, true, "temporary"},
		{whatsapp.GraphError{Status: 403, Code: 10}, false, "whatsapp_business_management"},
		{whatsapp.GraphError{Status: 403, Code: 294}, false, "whatsapp_business_management"},
		{whatsapp.GraphError{Status: 401, Code: 190}, false, "new system user token"},
		{whatsapp.GraphError{Status: 400, Code: 100, Subcode: 33}, false, "phone number ID"},
		{whatsapp.GraphError{Status: 400, Code: 368}, false, "fbtrace_id"},
		{whatsapp.GraphError{Type: whatsapp.TypeNetwork}, false, "could not be reached"},
	}
	for _, c := range cases {
		if c.e.Temporary() != c.temporary || !strings.Contains(c.e.Hint(), c.hint) {
			t.Errorf("%v: temporary %t hint %q; want %t and %q", &c.e, c.e.Temporary(), c.e.Hint(), c.temporary, c.hint)
		}
	}
}

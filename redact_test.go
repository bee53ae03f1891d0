package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/store"
	engine "coexsync/sync"
)

// echoToken is shaped like an Intercom access token.
const echoToken = "dG9rOmIxYzJkM2U0ZjVhNmI3YzhkOWUw"

// echoVariants are the ways a CRM error might echo the token back, with
// what a screen does not show inside it.
func echoVariants() map[string]string {
	tok, mid := echoToken, len(echoToken)/2
	in := func(x string) string { return tok[:mid] + x + tok[mid:] }
	return map[string]string{
		"plain":             "token " + tok + " refused",
		"zero width space":  "token " + in("\u200b") + " refused",
		"soft hyphen":       "token " + in("\u00ad") + " refused",
		"ESC inside":        "token " + in("\x1b[0m") + "\x1b]0;owned\x07 refused",
		"NBSP and spacing":  "token " + tok[:5] + "\u00a0" + tok[5:mid] + "\u2007\u205f" + tok[mid:] + " refused",
		"mixed case bearer": "header bEaReR " + in("\u2060") + " refused",
	}
}

// showsToken reports whether s still reads as the token once invisible
// characters are dropped and case is folded.
func showsToken(s string) bool {
	return strings.Contains(crm.Skeleton(s), crm.Skeleton(echoToken))
}

// echoingIntercom holds no contacts (searches and listings come back
// empty) and refuses every create with a 422 whose message is echo.
func echoingIntercom(t *testing.T, echo string) *intercom.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || r.URL.Path != "/contacts" {
			_, _ = w.Write([]byte(`{"type":"list","data":[],"total_count":0,"pages":{"type":"pages"}}`))
			return
		}
		body, _ := json.Marshal(map[string]any{"type": "error.list", "errors": []any{
			map[string]any{"code": "parameter_invalid", "message": echo},
		}})
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return intercom.New(intercom.Config{
		BaseURL: srv.URL, Token: echoToken, Account: "test",
		Retry: crm.RetryPolicy{MaxAttempts: 1}, HTTP: &http.Client{Timeout: 10 * time.Second},
	})
}

// TestEchoedTokenNeverLeaks runs a sync whose every create is refused
// with a message echoing the token, and follows the message down every
// path: the reason text stored in SQLite, the CSV export (file and
// terminal), the printed summary and the JSON summary.
func TestEchoedTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	for name, echo := range echoVariants() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			const number = "100000000000004"
			events := []store.ContactEvent{{NumberID: number, Phone: "14155552671", FullName: "Ana Lima",
				Action: store.ActionAdd, Timestamp: time.Unix(1_732_450_000, 0), Raw: []byte(`{}`)}}
			if _, err := db.SaveContactEvents(ctx, "test", []byte(name), events); err != nil {
				t.Fatal(err)
			}

			eng := &engine.Engine{Store: db, CRM: echoingIntercom(t, echo)}
			plan, err := eng.Plan(ctx, number, "US")
			if err != nil {
				t.Fatal(err)
			}
			job, err := eng.Start(ctx, plan, engine.RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sum := job.Wait()
			if sum.Failed != 1 {
				t.Fatalf("summary %+v: want the one contact failed", sum)
			}

			outs, _, err := db.Outcomes(ctx, store.OutcomeFilter{RunID: sum.RunID})
			if err != nil || len(outs) != 1 {
				t.Fatalf("outcomes %v, %v", outs, err)
			}
			stored := outs[0].ReasonText
			if showsToken(stored) || !strings.Contains(stored, crm.Redacted) || !strings.Contains(stored, "refused") {
				t.Errorf("stored reason_text %q: want the message with the token redacted", stored)
			}

			var file, term bytes.Buffer
			f := store.OutcomeFilter{RunID: sum.RunID}
			if err := exportCSV(ctx, db, &file, f, false); err != nil {
				t.Fatal(err)
			}
			if err := exportCSV(ctx, db, &term, f, true); err != nil {
				t.Fatal(err)
			}
			for what, out := range map[string]string{"csv file": file.String(), "csv on a terminal": term.String()} {
				if showsToken(out) || strings.ContainsRune(out, 0x1b) {
					t.Errorf("%s: %q", what, out)
				}
			}
			rows, err := csv.NewReader(&file).ReadAll()
			if err != nil || len(rows) != 2 || rows[1][8] != stored {
				t.Errorf("csv file rows %q (%v): want the stored text kept", rows, err)
			}

			var printed, js bytes.Buffer
			printSummary(&printed, sum, false)
			if err := json.NewEncoder(&js).Encode(summaryJSON(sum, false)); err != nil {
				t.Fatal(err)
			}
			for what, out := range map[string]string{"summary": printed.String(), "json": js.String()} {
				if showsToken(out) || !strings.Contains(out, crm.Redacted) || strings.ContainsRune(out, 0x1b) {
					t.Errorf("%s: %q", what, out)
				}
			}
		})
	}
}

// TestPrintersRedactWhatTheyCannotKnow: text that reaches the printers
// without passing a CRM client (an error quoting a URL with credentials,
// a bearer header, an escape sequence) is still shown safely.
func TestPrintersRedactWhatTheyCannotKnow(t *testing.T) {
	t.Parallel()
	sum := engine.RunSummary{
		RunID: 7, Status: store.RunFailed,
		Err: fmt.Errorf(`Post "https://agent:hunter2secret@proxy.example/contacts": Authorization: Bearer %s`, echoToken),
		Failures: []store.Outcome{{ContactID: 1, Name: "\x1b]0;title\x07Ana", Reason: "validation",
			ReasonText: "see http://u:p4ss@10.0.0.1/x \x1b[2J" + "bearer " + echoToken}},
	}
	var printed, js bytes.Buffer
	printSummary(&printed, sum, false)
	if err := json.NewEncoder(&js).Encode(summaryJSON(sum, false)); err != nil {
		t.Fatal(err)
	}
	var decoded runJSON
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	// JSON keeps the contact's name as data; the outside messages are
	// cleaned like the printed ones.
	jsonText := decoded.Error + "\n" + decoded.Failures[0].Message
	for what, out := range map[string]string{"summary": printed.String(), "json": jsonText} {
		for _, secret := range []string{"hunter2secret", "agent", "p4ss", echoToken, "\x1b"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows %q: %s", what, secret, out)
			}
		}
		if !strings.Contains(out, "https://[redacted]@proxy.example") || !strings.Contains(out, "http://[redacted]@10.0.0.1/x") {
			t.Errorf("%s lost the URLs' hosts: %s", what, out)
		}
	}
}

package whatsapp_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

const (
	leakToken  = "EAAGtesttoken123"
	leakSecret = "s3cr3t-app-secret"
)

// fastRetry keeps retry tests quick; attempts stay bounded.
var fastRetry = crm.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

func newFake(t *testing.T, numbers int) *whatsapptest.Server {
	t.Helper()
	fake := whatsapptest.New(whatsapptest.Options{Token: leakToken, AppSecret: leakSecret})
	t.Cleanup(fake.Close)
	for i := range numbers {
		fake.AddNumber(whatsapp.PhoneNumber{ID: fmt.Sprintf("10%02d", i), DisplayPhoneNumber: fmt.Sprintf("+55 11 90000-00%02d", i),
			VerifiedName: "Shop", PlatformType: "CLOUD_API", IsOnBizApp: i%2 == 0, Status: "CONNECTED"})
	}
	return fake
}

func clientFor(fake *whatsapptest.Server, token, secret string) *whatsapp.Client {
	return whatsapp.NewClient(whatsapp.Config{BaseURL: fake.URL(), Token: token, AppSecret: secret, Retry: fastRetry})
}

func TestPhoneNumbersFollowsEveryPage(t *testing.T) {
	fake := newFake(t, 7) // page size 2: four pages
	nums, err := clientFor(fake, leakToken, leakSecret).PhoneNumbers(context.Background(), fake.WABAID())
	if err != nil {
		t.Fatal(err)
	}
	if len(nums) != 7 {
		t.Fatalf("got %d numbers, want 7", len(nums))
	}
	for i, n := range nums {
		if n.ID != fmt.Sprintf("10%02d", i) || n.IsOnBizApp != (i%2 == 0) || n.PlatformType != "CLOUD_API" {
			t.Errorf("number %d decoded wrong: %+v", i, n)
		}
	}
	if got := fake.Calls()[whatsapptest.CallPhoneNumbers]; got != 4 {
		t.Errorf("%d page calls, want 4", got)
	}
}

func TestPhoneNumbersStripsTokenFromNextURL(t *testing.T) {
	fake := newFake(t, 5)
	fake.SetFaults(whatsapptest.Faults{TokenInNext: true})
	nums, err := clientFor(fake, leakToken, leakSecret).PhoneNumbers(context.Background(), fake.WABAID())
	if err != nil || len(nums) != 5 {
		t.Fatalf("got %d numbers, %v (the fake refuses a token in the URL)", len(nums), err)
	}
}

func TestPhoneNumbersRefusesForeignNextURL(t *testing.T) {
	fake := newFake(t, 5)
	fake.SetFaults(whatsapptest.Faults{ForeignNext: true})
	_, err := clientFor(fake, leakToken, leakSecret).PhoneNumbers(context.Background(), fake.WABAID())
	if err == nil || !strings.Contains(err.Error(), "outside the Graph API host") {
		t.Fatalf("followed a foreign next URL: %v", err)
	}
	if got := fake.Calls()[whatsapptest.CallPhoneNumbers]; got != 1 {
		t.Errorf("%d calls", got)
	}
}

func TestPhoneNumbersCapsPages(t *testing.T) {
	fake := newFake(t, 9)
	c := whatsapp.NewClient(whatsapp.Config{BaseURL: fake.URL(), Token: leakToken, AppSecret: leakSecret, MaxPages: 3})
	if _, err := c.PhoneNumbers(context.Background(), fake.WABAID()); err == nil || !strings.Contains(err.Error(), "3 pages") {
		t.Fatalf("page cap not enforced: %v", err)
	}
}

func TestThrottledThenSuccess(t *testing.T) {
	fake := newFake(t, 3)
	fake.SetFaults(whatsapptest.Faults{ThrottleNext: 2, ServerErrorNext: 1})
	var notices []crm.Notice
	ctx := crm.WithObserver(context.Background(), func(n crm.Notice) { notices = append(notices, n) })
	nums, err := clientFor(fake, leakToken, leakSecret).PhoneNumbers(ctx, fake.WABAID())
	if err != nil || len(nums) != 3 {
		t.Fatalf("got %d, %v", len(nums), err)
	}
	if got := fake.Calls()[whatsapptest.CallPhoneNumbers]; got != 5 {
		t.Errorf("%d calls, want 3 failures + 2 pages", got)
	}
	reasons := []crm.Reason{crm.ReasonServerError, crm.ReasonRateLimited, crm.ReasonRateLimited}
	if len(notices) != 3 {
		t.Fatalf("notices %+v", notices)
	}
	for i, n := range notices {
		if n.Reason != reasons[i] || n.Kind != crm.NoticeRetry || n.Wait > fastRetry.MaxDelay {
			t.Errorf("notice %d = %+v", i, n)
		}
	}
}

func TestRetriesStopAtMaxAttemptsAndOnCancel(t *testing.T) {
	fake := newFake(t, 1)
	fake.SetFaults(whatsapptest.Faults{ThrottleRate: 1})
	_, err := clientFor(fake, leakToken, leakSecret).PhoneNumbers(context.Background(), fake.WABAID())
	if ge, ok := err.(*whatsapp.GraphError); !ok || !ge.Throttled() {
		t.Fatalf("err %v, want a throttled GraphError", err)
	}
	if got := fake.Calls()[whatsapptest.CallPhoneNumbers]; got != fastRetry.MaxAttempts {
		t.Errorf("%d attempts, want %d", got, fastRetry.MaxAttempts)
	}
	slow := whatsapp.NewClient(whatsapp.Config{BaseURL: fake.URL(), Token: leakToken, AppSecret: leakSecret,
		Retry: crm.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := slow.PhoneNumbers(ctx, fake.WABAID()); err == nil {
		t.Fatal("no error after cancel")
	}
	if ctx.Err() == nil {
		t.Error("returned before the context ended: backoff not waited")
	}
}

func TestRequestContactSyncOnceOnly(t *testing.T) {
	fake := newFake(t, 2)
	c := clientFor(fake, leakToken, leakSecret)
	id, err := c.RequestContactSync(context.Background(), "1000")
	if err != nil || id == "" {
		t.Fatalf("first request: %q, %v", id, err)
	}
	_, err = c.RequestContactSync(context.Background(), "1000")
	if !whatsapp.IsSyncRefused(err) {
		t.Fatalf("second request: %v, want a sync refusal", err)
	}
	// Code 4 on this endpoint is a refusal: sent once, never retried,
	// whatever language the message is in.
	ge := err.(*whatsapp.GraphError)
	if ge.Code != whatsapp.CodeThrottled || ge.Throttled() || ge.Temporary() {
		t.Errorf("refusal %v: code %d, throttled %v, temporary %v", ge, ge.Code, ge.Throttled(), ge.Temporary())
	}
	if n := fake.Calls()[whatsapptest.CallSyncRequest]; n != 2 {
		t.Errorf("%d sync requests sent, want 2 (the second not retried)", n)
	}
	if !strings.Contains(ge.Hint(), "one-time request for this number is spent") {
		t.Errorf("hint %q", ge.Hint())
	}
	fake.ExpireSyncWindow("1000") // already requested: stays refused
	if _, err := c.RequestContactSync(context.Background(), "1000"); !whatsapp.IsSyncRefused(err) {
		t.Errorf("after expiry: %v", err)
	}
}

func TestAppSecretProofIsSent(t *testing.T) {
	fake := newFake(t, 1)
	if _, err := clientFor(fake, leakToken, leakSecret).PhoneNumbers(context.Background(), fake.WABAID()); err != nil {
		t.Fatalf("with the right secret: %v", err)
	}
	for name, secret := range map[string]string{"wrong secret": "other-secret", "no secret": ""} {
		_, err := clientFor(fake, leakToken, secret).PhoneNumbers(context.Background(), fake.WABAID())
		ge, ok := err.(*whatsapp.GraphError)
		if !ok || ge.Code != whatsapp.CodeInvalidParam || !strings.Contains(ge.Message, "appsecret_proof") {
			t.Errorf("%s: %v, want the appsecret_proof refusal", name, err)
		}
	}
	want := whatsapp.AppSecretProof(leakSecret, leakToken)
	if len(want) != 64 || strings.Contains(want, leakSecret) || strings.Contains(want, leakToken) {
		t.Errorf("proof %q is not a hex digest free of the secret", want)
	}
}

func TestTokenSentOnlyInHeader(t *testing.T) {
	var seen []*http.Request
	srv := recordingServer(t, &seen, 200, `{"data":[],"paging":{}}`)
	c := whatsapp.NewClient(whatsapp.Config{BaseURL: srv, Token: leakToken, AppSecret: leakSecret})
	if _, err := c.PhoneNumbers(context.Background(), "123"); err != nil {
		t.Fatal(err)
	}
	r := seen[0]
	if strings.Contains(r.URL.String(), leakToken) || strings.Contains(r.URL.String(), leakSecret) {
		t.Errorf("credential in URL %s", r.URL)
	}
	if r.Header.Get("Authorization") != "Bearer "+leakToken {
		t.Errorf("authorization header %q", r.Header.Get("Authorization"))
	}
	if r.URL.Path != "/v23.0/123/phone_numbers" || r.URL.Query().Get("fields") != whatsapp.PhoneNumberFields {
		t.Errorf("request %s", r.URL)
	}
}

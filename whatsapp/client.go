package whatsapp

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"coexsync/internal/httpcore"
)

// Defaults for Config.
const (
	DefaultBaseURL  = "https://graph.facebook.com"
	DefaultVersion  = "v23.0"
	DefaultMaxPages = 100
	maxAnswerBytes  = 4 << 20
)

// PhoneNumberFields are the fields PhoneNumbers asks Graph for.
const PhoneNumberFields = "id,display_phone_number,verified_name,quality_rating,status,platform_type,is_on_biz_app,code_verification_status"

// Config configures a Graph API client.
type Config struct {
	BaseURL   string // DefaultBaseURL when empty
	Version   string // DefaultVersion when empty
	Token     string // system user or business token; sent only as a header
	AppSecret string // when set, every call carries appsecret_proof
	HTTP      *http.Client
	// Retry bounds retries of throttled and temporary failures; zero
	// MaxAttempts means httpcore.DefaultRetry().
	Retry    httpcore.RetryPolicy
	MaxPages int // cap on phone number pages followed; DefaultMaxPages when 0
}

// Client calls the Graph API for one token.
type Client struct {
	cfg     Config
	base    *url.URL
	baseErr error
	proof   string
	core    *httpcore.Client
}

// NewClient returns a client; a bad BaseURL is reported by the first call.
func NewClient(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: httpcore.DefaultTimeout}
	}
	if cfg.Retry.MaxAttempts <= 0 {
		cfg.Retry = httpcore.DefaultRetry()
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	c := &Client{cfg: cfg}
	c.base, c.baseErr = parseBase(cfg.BaseURL)
	if cfg.AppSecret != "" {
		c.proof = AppSecretProof(cfg.AppSecret, cfg.Token)
	}
	c.core = &httpcore.Client{HTTP: cfg.HTTP, Token: cfg.Token, Secrets: []string{cfg.AppSecret, c.proof},
		MaxBody: maxAnswerBytes, Retry: cfg.Retry}
	return c
}

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL is not quoted: a mistyped config could hold a credential.
		return nil, errors.New("graph api: the configured base URL is not an http(s) URL with a host")
	}
	return u, nil
}

// AppSecretProof is the appsecret_proof Graph expects: hex HMAC-SHA256 of
// the token keyed with the app secret. It reveals neither.
func AppSecretProof(appSecret, token string) string {
	return hex.EncodeToString(hmacSHA256(appSecret, []byte(token)))
}

// graphID accepts Graph object ids; anything else could rewrite the path.
var graphID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// edgeOwner names what kind of id each edge hangs off, for errors.
var edgeOwner = map[string]string{"phone_numbers": "WhatsApp Business Account", "smb_app_data": "phone number"}

func (c *Client) endpoint(id, edge string) (*url.URL, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	if !graphID.MatchString(id) {
		// Not quoted: a misplaced credential must not end up in a log.
		return nil, fmt.Errorf("graph api: the %s id given is not a Graph object id (letters, digits, _ . - only)", edgeOwner[edge])
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + "/" + c.cfg.Version + "/" + id + "/" + edge
	return &u, nil
}

type phoneNumbersPage struct {
	Data   []PhoneNumber `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// PhoneNumbers lists every phone number of the WhatsApp Business Account,
// following paging.next only to the configured host, at most MaxPages.
func (c *Client) PhoneNumbers(ctx context.Context, wabaID string) ([]PhoneNumber, error) {
	u, err := c.endpoint(wabaID, "phone_numbers")
	if err != nil {
		return nil, err
	}
	u.RawQuery = url.Values{"fields": {PhoneNumberFields}}.Encode()
	var all []PhoneNumber
	for page := 1; ; page++ {
		var p phoneNumbersPage
		if err := c.call(ctx, http.MethodGet, "phone_numbers", u, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		if p.Paging.Next == "" {
			return all, nil
		}
		if page >= c.cfg.MaxPages {
			return nil, fmt.Errorf("graph api: phone numbers still paging after %d pages; stopped", page)
		}
		if u, err = c.nextPage(p.Paging.Next); err != nil {
			return nil, err
		}
	}
}

// nextPage accepts a paging URL only on the configured scheme and host (a
// forged one must not receive the token) and drops any credential Graph
// put in it: the token travels only in the header.
func (c *Client) nextPage(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, &GraphError{Type: TypeBadResponse, Message: "paging.next points outside the Graph API host; not followed"}
	}
	q := u.Query()
	q.Del("access_token")
	q.Del("appsecret_proof")
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u, nil
}

type syncRequest struct {
	MessagingProduct string `json:"messaging_product"`
	SyncType         string `json:"sync_type"`
}

type syncAnswer struct {
	RequestID string `json:"request_id"`
}

// RequestContactSync asks Meta to send the number's Business App contacts
// to the webhook (smb_app_state_sync). Meta allows it once per number,
// within 24 h of onboarding; see IsSyncRefused. A lost answer is not
// retried, since Meta may already have accepted the request. An accepted
// request whose answer lacks request_id returns "" and no error.
func (c *Client) RequestContactSync(ctx context.Context, phoneNumberID string) (string, error) {
	u, err := c.endpoint(phoneNumberID, "smb_app_data")
	if err != nil {
		return "", err
	}
	body := syncRequest{MessagingProduct: "whatsapp", SyncType: "smb_app_state_sync"}
	var a syncAnswer
	if err := c.call(ctx, http.MethodPost, "smb_app_data", u, body, &a); err != nil {
		return "", err
	}
	return cleanText(a.RequestID, 100, c.secrets()), nil
}

// call makes one Graph call, retrying temporary failures with jittered
// backoff within cfg.Retry, and decodes a 2xx answer into out. in, when
// not nil, is sent as JSON.
func (c *Client) call(ctx context.Context, method, name string, u *url.URL, in, out any) error {
	target := *u
	if c.proof != "" {
		q := target.Query()
		q.Set("appsecret_proof", c.proof)
		target.RawQuery = q.Encode()
	}
	idempotent := method == http.MethodGet
	syncRequest := strings.HasSuffix(u.Path, "/smb_app_data")
	return c.core.Do(ctx, httpcore.Call{
		Name:   "graph " + name,
		Method: method,
		URL:    target.String(),
		JSON:   in,
		Classify: func(r *httpcore.Response) error {
			err := c.classify(r, out)
			var ge *GraphError
			if errors.As(err, &ge) {
				ge.idempotent, ge.syncRequest = idempotent, syncRequest
			}
			return err
		},
	})
}

// classify reads one attempt's outcome into out or a *GraphError; the
// error's Temporary says whether the core retries it.
func (c *Client) classify(r *httpcore.Response, out any) error {
	switch {
	case r.Status == 0:
		return &GraphError{Type: TypeNetwork, Message: c.transportText(r.Err)}
	case errors.Is(r.Err, httpcore.ErrBodyTooLarge):
		return &GraphError{Status: r.Status, Type: TypeBadResponse, Message: "answer too large"}
	case r.Err != nil:
		return &GraphError{Status: r.Status, Type: TypeNetwork, Message: "answer cut off: " + c.transportText(r.Err)}
	case r.Status < 200 || r.Status > 299:
		return parseGraphError(r.Status, r.Body, c.secrets()...)
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return &GraphError{Status: r.Status, Type: TypeBadResponse, Message: "unreadable JSON answer"}
	}
	return nil
}

// transportText describes a transport failure without the request URL,
// which carries the appsecret_proof.
func (c *Client) transportText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return cleanText(err.Error(), 200, c.secrets())
}

func (c *Client) secrets() []string {
	return []string{c.cfg.Token, c.cfg.AppSecret, c.proof}
}

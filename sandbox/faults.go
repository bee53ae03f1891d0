package sandbox

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom/intercomtest"
)

// Faults are what a served sandbox injects into a CRM fake. The rates are
// probabilities per request, drawn from the fake's seeded source; their
// sum is at most 1.
type Faults struct {
	RateLimited float64 `json:"rate_limited"` // 429, as if another app spent the budget
	ServerError float64 `json:"server_error"` // 5xx before anything is done
	Garbage     float64 `json:"garbage"`      // the work is done, the body is not JSON
	Timeout     float64 `json:"timeout"`      // hang until the client gives up, before anything is done
	Truncated   float64 `json:"truncated"`    // the work is done, the body breaks off
	// SlowCreate holds every create this long, then commits and answers
	// it even if the client has gone: a client killed meanwhile leaves a
	// create that lands later.
	SlowCreate Duration `json:"slow_create"`
}

// FaultsRequest is the body of POST /faults and what --faults parses to.
type FaultsRequest struct {
	CRM string `json:"crm,omitempty"` // "hubspot", "intercom" or "" for both
	Faults
	// SearchLag, when given, is how long a new record stays out of search
	// from now on (both CRMs).
	SearchLag *Duration `json:"search_lag,omitempty"`
}

// Duration is a time.Duration written as Go writes it ("1.5s").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"2s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseFaults reads --faults: comma-separated key=value pairs with the
// JSON names, e.g. "rate_limited=0.1,server_error=0.05,slow_create=2s,crm=hubspot".
func ParseFaults(spec string) (FaultsRequest, error) {
	var req FaultsRequest
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return req, fmt.Errorf("faults: %q is not key=value", part)
		}
		rates := map[string]*float64{
			"rate_limited": &req.RateLimited, "server_error": &req.ServerError, "garbage": &req.Garbage,
			"timeout": &req.Timeout, "truncated": &req.Truncated,
		}
		switch key = strings.TrimSpace(key); {
		case rates[key] != nil:
			f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil {
				return req, fmt.Errorf("faults: %s=%q: want a fraction such as 0.05", key, val)
			}
			*rates[key] = f
		case key == "slow_create" || key == "search_lag":
			d, err := time.ParseDuration(strings.TrimSpace(val))
			if err != nil {
				return req, fmt.Errorf("faults: %s=%q: want a duration such as 2s", key, val)
			}
			if key == "slow_create" {
				req.SlowCreate = Duration(d)
			} else {
				lag := Duration(d)
				req.SearchLag = &lag
			}
		case key == "crm":
			req.CRM = strings.TrimSpace(val)
		default:
			return req, fmt.Errorf("faults: unknown key %q (want rate_limited, server_error, garbage, timeout, truncated, slow_create, search_lag or crm)", key)
		}
	}
	return req, req.check()
}

func (r FaultsRequest) check() error {
	switch r.CRM {
	case "", "hubspot", "intercom":
	default:
		return fmt.Errorf("faults: crm %q: want hubspot, intercom or nothing for both", r.CRM)
	}
	sum := 0.0
	for _, f := range []float64{r.RateLimited, r.ServerError, r.Garbage, r.Timeout, r.Truncated} {
		if f < 0 || f > 1 {
			return fmt.Errorf("faults: rates are fractions from 0 to 1, got %g", f)
		}
		sum += f
	}
	if sum > 1 {
		return fmt.Errorf("faults: the rates add up to %g, more than 1", sum)
	}
	if r.SlowCreate < 0 || r.SearchLag != nil && *r.SearchLag < 0 {
		return fmt.Errorf("faults: durations cannot be negative")
	}
	return nil
}

func (f Faults) hubspot() hubspottest.Faults {
	return hubspottest.Faults{Rate429: f.RateLimited, Rate5xx: f.ServerError, RateTimeout: f.Timeout,
		RateTruncated: f.Truncated, RateGarbage: f.Garbage}
}

func (f Faults) intercom() intercomtest.Faults {
	return intercomtest.Faults{RateLimited: f.RateLimited, ServerError: f.ServerError, Timeout: f.Timeout,
		Garbage: f.Garbage, Truncated: f.Truncated}
}

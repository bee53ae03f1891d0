package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"coexsync/crm/hubspot"
	"coexsync/sync/normalize"
)

// State is what GET /state answers: enough for a test in another process
// to count what the CRMs hold and whether a number was created twice.
type State struct {
	Down      map[string]bool `json:"down"`
	SearchLag Duration        `json:"search_lag"`
	HubSpot   CRMState        `json:"hubspot"`
	Intercom  CRMState        `json:"intercom"`
	Graph     GraphState      `json:"graph"`
}

// CRMState counts one CRM fake's records.
type CRMState struct {
	URL     string `json:"url"`
	Records int    `json:"records"` // every record, seeded or created
	Created int    `json:"created"` // records created through the API
	// NumbersHeldTwice counts phone numbers (as E.164) held by more than
	// one record; the seed holds a few on purpose (ambiguous matches).
	NumbersHeldTwice int `json:"numbers_held_twice"`
	// NumbersHeldTwiceByAPI counts those among them where a holder was
	// created through the API: duplicates a sync made. It must stay 0.
	NumbersHeldTwiceByAPI int            `json:"numbers_held_twice_by_api"`
	CreatesHeld           int            `json:"creates_held"` // slow creates not yet committed
	Throttled             int            `json:"throttled"`    // 429s the budget (not faults) caused
	Calls                 map[string]int `json:"calls"`
	Faults                Faults         `json:"faults"`
}

// GraphState counts the fake Meta's calls and webhook deliveries.
type GraphState struct {
	URL         string         `json:"url"`
	Calls       map[string]int `json:"calls"`
	Delivered   int            `json:"delivered"`
	Undelivered int            `json:"undelivered"`
}

// holding is one record's phone numbers.
type holding struct {
	byAPI   bool
	numbers []string
}

// State is a snapshot of every fake.
func (s *Served) State() State {
	s.mu.Lock()
	faults, lag := map[string]Faults{}, s.lag
	for k, v := range s.faults {
		faults[k] = v
	}
	s.mu.Unlock()

	var hub []holding
	for _, rec := range s.HubSpot.Records() {
		// HubSpot's own reading of the free text first, then the raw values.
		// A desk line with an extension holds no one's number: the engine
		// never matches it, and a contact created beside it is no duplicate.
		p := rec.Properties
		hub = append(hub, holding{byAPI: rec.CreatedByAPI, numbers: s.readings.e164s(
			s.readings.unlessExtension(p[hubspot.PropPhone], p[hubspot.PropCalculatedPhone]),
			s.readings.unlessExtension(p[hubspot.PropMobile], p[hubspot.PropCalculatedMobile]),
			s.readings.unlessExtension(p[hubspot.PropWhatsAppPhone], p[hubspot.PropWhatsAppPhone]))})
	}
	var icom []holding
	for _, rec := range s.Intercom.Records() {
		icom = append(icom, holding{byAPI: rec.ViaAPI, numbers: s.readings.e164s(s.readings.unlessExtension(rec.Phone, rec.Phone))})
	}
	st := State{
		Down:      map[string]bool{},
		SearchLag: Duration(lag),
		HubSpot: crmState(s.URL(ServiceHubSpot), hub, s.holds[ServiceHubSpot].heldNow(), s.HubSpot.Throttled(),
			s.HubSpot.Calls(), faults[ServiceHubSpot]),
		Intercom: crmState(s.URL(ServiceIntercom), icom, s.holds[ServiceIntercom].heldNow(), s.Intercom.RateLimited(),
			s.Intercom.Calls(), faults[ServiceIntercom]),
		Graph: GraphState{URL: s.URL(ServiceGraph), Calls: s.Graph.Calls(), Delivered: s.Graph.Delivered(),
			Undelivered: s.Graph.Undelivered()},
	}
	for name, sv := range s.services {
		st.Down[name] = sv.isDown()
	}
	return st
}

// phoneReadings remembers how phone values read, each read once.
type phoneReadings struct {
	mu   sync.Mutex
	e164 map[string]string // "" when unreadable
	ext  map[string]bool
}

// e164s normalizes phone values the way the engine compares them (old
// Mexican and Brazilian mobile forms fold into one), dropping the
// unreadable and repeats.
func (r *phoneReadings) e164s(raws ...string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, raw := range raws {
		if raw == "" {
			continue
		}
		e, ok := r.e164[raw]
		if !ok {
			if n := normalize.Number(raw, ""); n.Valid {
				e = n.E164
			}
			r.e164 = setIn(r.e164, raw, e)
		}
		if e != "" && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// unlessExtension is value, or "" when the raw text it was read from
// carries an extension.
func (r *phoneReadings) unlessExtension(raw, value string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ext, ok := r.ext[raw]
	if !ok {
		ext = normalize.HasExtension(raw)
		r.ext = setIn(r.ext, raw, ext)
	}
	if ext {
		return ""
	}
	return value
}

// setIn is m with m[k] = v, made if m is nil.
func setIn[V any](m map[string]V, k string, v V) map[string]V {
	if m == nil {
		m = make(map[string]V)
	}
	m[k] = v
	return m
}

func crmState(url string, recs []holding, held, throttled int, calls map[string]int, f Faults) CRMState {
	st := CRMState{URL: url, Records: len(recs), CreatesHeld: held, Throttled: throttled, Calls: calls, Faults: f}
	holders := map[string]int{}
	withAPI := map[string]bool{}
	for _, rec := range recs {
		if rec.byAPI {
			st.Created++
		}
		for _, n := range rec.numbers {
			holders[n]++
			if rec.byAPI {
				withAPI[n] = true
			}
		}
	}
	for n, count := range holders {
		if count > 1 {
			st.NumbersHeldTwice++
			if withAPI[n] {
				st.NumbersHeldTwiceByAPI++
			}
		}
	}
	if st.Calls == nil {
		st.Calls = map[string]int{}
	}
	return st
}

// ControlHandler is the control API:
//
//	GET  /state                 State
//	POST /faults                body FaultsRequest; replaces the faults
//	POST /down[?service=NAME]   take graph, hubspot and/or intercom off the network
//	POST /up[?service=NAME]     put them back on the same address
//	POST /release               commit every held slow create now
//
// Every answer is the State after the change, or {"error": "…"}.
func (s *Served) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, _ *http.Request) {
		writeState(w, s.State())
	})
	mux.HandleFunc("POST /faults", func(w http.ResponseWriter, r *http.Request) {
		var req FaultsRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		if err := s.SetFaults(req); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeState(w, s.State())
	})
	for path, down := range map[string]bool{"POST /down": true, "POST /up": false} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if err := s.SetDown(down, r.URL.Query()["service"]...); err != nil {
				writeError(w, http.StatusBadRequest, err.Error())
				return
			}
			writeState(w, s.State())
		})
	}
	mux.HandleFunc("POST /release", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		if err := s.Release(ctx); err != nil {
			writeError(w, http.StatusGatewayTimeout, err.Error())
			return
		}
		writeState(w, s.State())
	})
	return mux
}

func writeState(w http.ResponseWriter, st State) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

package uitest

import (
	"fmt"
	"time"

	"coexsync/crm"
	"coexsync/doctor"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/sync/normalize"
)

// Numbers are the account's numbers: Coexistence with contacts,
// Coexistence without, API only.
var Numbers = []store.Number{
	{ID: "1001", DisplayPhoneNumber: "+55 11 4002-8922", VerifiedName: "Loja Lima", Status: "CONNECTED",
		QualityRating: "GREEN", PlatformType: "CLOUD_API", OnBizApp: true, SyncRequestedAt: Clock.Add(-time.Hour)},
	{ID: "1002", DisplayPhoneNumber: "+1 415-555-0100", VerifiedName: "Bay Bikes", Status: "CONNECTED",
		QualityRating: "GREEN", PlatformType: "CLOUD_API", OnBizApp: true},
	{ID: "1003", DisplayPhoneNumber: "+44 20 7946 0000", VerifiedName: "\x1b]0;pwned\x07Tea Co\u202e", Status: "FLAGGED",
		QualityRating: "YELLOW", PlatformType: "CLOUD_API", OnBizApp: false},
}

// NewBackend is a sandbox-like backend: three numbers (Coexistence with
// contacts, Coexistence without, API only), two CRMs, three past runs.
func NewBackend() *Backend {
	return &Backend{
		ModeName:   "SANDBOX",
		CRMList:    []string{"hubspot", "intercom"},
		NumberList: Numbers,
		Counts:     map[string]int{"1001": 12, "1002": 0},
		Eng:        &Engine{PlanRows: 12, Job: NewJob(7, 64), UndoJob: NewJob(8, 64)},
		St:         NewStore(),
		Checks:     AllChecks(),
	}
}

// AllChecks is a healthy doctor report: the Meta checks, then a CRM and
// the clock (which the request confirmation leaves out).
func AllChecks() []doctor.Check {
	return []doctor.Check{
		{Name: doctor.NameGraphToken, OK: true, Detail: "accepted by the Graph API"},
		{Name: doctor.NameWABA, OK: true, Detail: "WhatsApp Business Account 4242 answers (3 numbers)"},
		{Name: doctor.NameNumbers, OK: true, Detail: "+1 415-555-0100 (1002) is_on_biz_app=true"},
		{Name: doctor.NameAppSubscribed, OK: true, Detail: "this app is subscribed to the WABA: Coexsync (77)"},
		{Name: doctor.NameWebhookField, OK: true, Warn: true, Detail: "the smb_app_state_sync field could not be confirmed",
			Fix: "Check the app's WhatsApp webhook fields in the App Dashboard."},
		{Name: doctor.NameContacts + " +1 415-555-0100", OK: true, Detail: "no contacts stored yet"},
		{Name: doctor.NameHubSpotToken, OK: true, Detail: "accepted by HubSpot"},
		{Name: doctor.NameClock, OK: true, Detail: "within 2s of Meta's and HubSpot's clocks"},
	}
}

// UnsubscribedChecks is AllChecks with the app not subscribed to the
// WABA's webhooks: contacts requested now would be lost.
func UnsubscribedChecks() []doctor.Check {
	cs := AllChecks()
	cs[3] = doctor.Check{Name: doctor.NameAppSubscribed,
		Detail: "no app is subscribed to this WABA's webhooks: contacts requested now would be lost",
		Fix:    "Subscribe the app to the WABA (POST /4242/subscribed_apps) before requesting contacts."}
	return cs
}

// NewStore holds runs 5 (finished with failures), 4 (interrupted) and 3
// (cancelled), newest first.
func NewStore() *Store {
	at := func(h int) time.Time { return Clock.Add(time.Duration(-h) * time.Hour) }
	return &Store{
		NumberList: Numbers,
		RunList: []store.Run{
			{ID: 5, NumberID: "1001", CRM: "hubspot", Mode: store.ModeLive, Status: store.RunFinished,
				StartedAt: at(2), FinishedAt: at(2).Add(40 * time.Second), Total: 12, Created: 6, Skipped: 3, Failed: 3},
			{ID: 4, NumberID: "1001", CRM: "intercom", Mode: store.ModeLive, Status: store.RunInterrupted,
				StartedAt: at(26), Total: 12, Created: 2, Pending: 1},
			{ID: 3, NumberID: "1002", CRM: "hubspot", Mode: store.ModeLive, Status: store.RunCancelled,
				StartedAt: at(50), FinishedAt: at(50).Add(time.Minute), Total: 4, Created: 1, Skipped: 3},
		},
		ByRun: map[int64][]store.Outcome{5: {
			failed(5, 21, "Zé \x1b[31mRed\x1b[0m", "12345", "invalid_country_code", "The number has no valid country code; ask the customer for it."),
			failed(5, 22, "", "US.13491208655302741918", "no_phone_number", "The contact has a WhatsApp username but no phone number."),
			failed(5, 23, "Ana Lima", "5511987654321", string(crm.ReasonRateLimited), crm.ReasonRateLimited.Sentence()),
			{RunID: 5, ContactID: 24, Name: "Bruno", Raw: "5511912345678", E164: "+5511912345678", Status: store.OutcomeCreated, CRMID: "901"},
			{RunID: 5, ContactID: 25, Name: "Carla", Raw: "5511955554444", E164: "+5511955554444", Status: store.OutcomeSkipped,
				CRMID: "902", Reason: "exists", ReasonText: "The number is already in the CRM." + store.NameFilledText, NameFilled: true},
		}},
	}
}

func failed(run, id int64, name, raw, reason, text string) store.Outcome {
	return store.Outcome{RunID: run, ContactID: id, Name: name, Raw: raw, Status: store.OutcomeFailed,
		Reason: reason, ReasonText: text, Attempts: 1, UpdatedAt: Clock.Add(-2 * time.Hour)}
}

var firstNames = []string{"Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabi", "Hugo", "Íris", "João"}

// MakePlan is a deterministic plan of n rows cycling through every status.
func MakePlan(numberID, region string, n int) *engine.Plan {
	p := &engine.Plan{NumberID: numberID, Region: region, CRM: "hubspot", Target: "hubspot https://api.hubapi.com",
		Rows: make([]engine.PlanRow, n), Counts: map[engine.RowStatus]int{}, BuiltAt: Clock}
	for i := range n {
		raw := fmt.Sprintf("55119%08d", i)
		r := engine.PlanRow{
			Contact: engine.RowContact{ID: int64(i + 1), Key: raw, Phone: raw,
				FullName: fmt.Sprintf("%s %d", firstNames[i%len(firstNames)], i)},
			Number: engine.RowNumber{E164: "+" + raw},
		}
		switch i % 6 {
		case 0, 1:
			r.Status = engine.StatusCreate
		case 2:
			r.Status, r.RecordID, r.FillName = engine.StatusExists, fmt.Sprint(500+i), i%4 == 2
		case 3:
			r.Status, r.Match = engine.StatusAmbiguous, &engine.RowMatch{Records: []crm.Record{{ID: "1"}, {ID: "2"}}}
		case 4:
			r.Contact.Phone, r.Number = "0"+raw[:4], engine.RowNumber{}
			r.Status, r.InvalidReason = engine.StatusInvalid, string(normalize.ReasonTooShort)
		case 5:
			r.Status, r.DuplicateOf = engine.StatusDuplicate, int64(i)
		}
		if i == 1 {
			r.Contact.FullName = "Mal\x1b[2J\u202eicious"
		}
		p.Rows[i] = r
		p.Counts[r.Status]++
	}
	return p
}

// LiveEvents is what a job reports a few seconds into a 12-contact run.
func LiveEvents() []engine.Event {
	return []engine.Event{
		engine.Phase{Name: "creating 4 contacts"},
		engine.OutcomeEvent{Outcome: store.Outcome{RunID: 7, ContactID: 1, Name: "Ana 0", Raw: "5511900000000", E164: "+5511900000000", Status: store.OutcomeCreated, CRMID: "801"}},
		engine.OutcomeEvent{Outcome: store.Outcome{RunID: 7, ContactID: 3, Name: "Carla 2", Raw: "5511900000002", Status: store.OutcomeSkipped, CRMID: "502", Reason: "exists"}},
		engine.OutcomeEvent{Outcome: store.Outcome{RunID: 7, ContactID: 5, Name: "Elisa\x1b[5m 4", Raw: "05511", Status: store.OutcomeFailed, Reason: "too_short"}},
		engine.RateLimited{Endpoint: "search", Wait: 1500 * time.Millisecond, Reason: crm.ReasonRateLimited, Detail: "SECONDLY"},
		engine.Retrying{Endpoint: "batch/create", Attempt: 2, Wait: 800 * time.Millisecond, Reason: crm.ReasonServerError},
		engine.Progress{Done: 5, Total: 12, Created: 2, Skipped: 2, Failed: 1, Rate: 2.5, ETA: 3 * time.Second, Elapsed: 2 * time.Second},
	}
}

// MakeUndoPlan is the undo of run 5: three records to archive, two kept
// (one modified since, one only matched).
func MakeUndoPlan(runID int64) *engine.UndoPlan {
	item := func(id int64, name, rec string, keep engine.KeepReason) engine.UndoItem {
		raw := fmt.Sprintf("55119%08d", id)
		return engine.UndoItem{ContactID: id, Name: name, Raw: raw, E164: "+" + raw, RecordID: rec,
			CreatedAt: Clock.Add(-2 * time.Hour), Keep: keep}
	}
	p := &engine.UndoPlan{RunID: runID, NumberID: "1001", CRM: "hubspot", Target: "hubspot https://api.hubapi.com",
		Tolerance: time.Minute, BuiltAt: Clock,
		Archive: []engine.UndoItem{item(1, "Ana 0", "801", ""), item(2, "Bruno 1", "802", ""), item(7, "Gabi 6", "807", "")},
		Kept: []engine.UndoItem{item(3, "Carla 2", "803", engine.KeepModified),
			item(4, "Diego 3", "502", engine.KeepNotCreated)},
		KeptCounts: map[engine.KeepReason]int{engine.KeepModified: 1, engine.KeepNotCreated: 1},
	}
	return p
}

// UndoEvents is what an undo job reports as it archives MakeUndoPlan.
func UndoEvents() []engine.Event {
	return []engine.Event{
		engine.Phase{Name: "archiving 3 records"},
		engine.OutcomeEvent{Outcome: store.Outcome{RunID: 8, ContactID: 1, Name: "Ana 0", Raw: "5511900000001", Status: store.OutcomeCreated, CRMID: "801", Reason: "archived"}},
		engine.OutcomeEvent{Outcome: store.Outcome{RunID: 8, ContactID: 3, Name: "Carla 2", Raw: "5511900000003", Status: store.OutcomeSkipped, CRMID: "803", Reason: "modified"}},
		engine.Progress{Done: 2, Total: 5, Created: 1, Skipped: 1, Elapsed: time.Second},
	}
}

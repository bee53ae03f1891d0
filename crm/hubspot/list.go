package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"coexsync/crm"
)

// Paths and limits of the listing and reading operations.
const (
	PathList         = "/crm/v3/objects/contacts"
	PathBatchRead    = "/crm/v3/objects/contacts/batch/read"
	PathBatchArchive = "/crm/v3/objects/contacts/batch/archive"

	MaxListLimit = 100 // records per page of the list endpoint

	PropCountry          = "country"
	PropLastModifiedDate = "lastmodifieddate"
)

// Search operators used by the incremental refresh, and sort directions.
const (
	OpGT           = "GT"
	OpGTE          = "GTE"
	OpLT           = "LT"
	OpLTE          = "LTE"
	SortAscending  = "ASCENDING"
	SortDescending = "DESCENDING"
)

// Sort is one entry of a search's sorts. The published spec types sorts as
// strings, but the API sorts only by {"propertyName","direction"} objects
// (HubSpot's search guide; string sorts are ignored, see the official
// clients' issue trackers). It is sent as an object and read either way.
type Sort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction,omitempty"`
}

// UnmarshalJSON accepts the object form and a bare property name
// ("-name" for descending), so the fake can judge both.
func (s *Sort) UnmarshalJSON(b []byte) error {
	var name string
	if json.Unmarshal(b, &name) == nil {
		s.Direction = SortAscending
		if rest, ok := strings.CutPrefix(name, "-"); ok {
			name, s.Direction = rest, SortDescending
		}
		s.PropertyName = name
		return nil
	}
	type plain Sort
	return json.Unmarshal(b, (*plain)(s))
}

// ObjectID names one record of a batch read or archive.
type ObjectID struct {
	ID string `json:"id"`
}

// BatchReadRequest is BatchReadInputSimplePublicObjectId.
type BatchReadRequest struct {
	Inputs                []ObjectID `json:"inputs"`
	Properties            []string   `json:"properties"`
	PropertiesWithHistory []string   `json:"propertiesWithHistory"`
}

// BatchIDsRequest is BatchInputSimplePublicObjectId (batch/archive).
type BatchIDsRequest struct {
	Inputs []ObjectID `json:"inputs"`
}

// indexProperties are read for the local index: every phone-bearing
// property HubSpot keeps, the names, the country that places a national
// number, and the modification time the incremental refresh pages by.
var indexProperties = []string{
	PropFirstName, PropLastName, PropCountry, PropLastModifiedDate,
	PropPhone, PropMobile, PropWhatsAppPhone, PropCalculatedPhone, PropCalculatedMobile,
}

var indexPropertiesParam = strings.Join(indexProperties, ",")

// changedPageLimit is the page size of the incremental refresh.
const changedPageLimit = MaxSearchLimit

var (
	_ crm.Lister = (*Client)(nil)

	epList = endpoint{name: "list", path: PathList, method: http.MethodGet, idempotent: true}
	epRead = endpoint{name: "batch/read", path: PathBatchRead, idempotent: true}
)

// ListPage implements crm.Lister with the list endpoint (MaxListLimit
// per page, in id order), charged to the general budget. Page.Total is 0:
// list pages carry no count (see Count).
func (c *Client) ListPage(ctx context.Context, cursor string) (crm.Page, error) {
	return c.listPage(ctx, cursor, false)
}

// ListArchivedPage lists archived records the same way: the incremental
// refresh cannot see archivals (search leaves archived records out).
func (c *Client) ListArchivedPage(ctx context.Context, cursor string) (crm.Page, error) {
	return c.listPage(ctx, cursor, true)
}

func (c *Client) listPage(ctx context.Context, cursor string, archived bool) (crm.Page, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(MaxListLimit))
	q.Set("properties", indexPropertiesParam)
	q.Set("archived", strconv.FormatBool(archived))
	if cursor != "" {
		q.Set("after", cursor)
	}
	ep := epList
	ep.path += "?" + q.Encode()
	var resp listResponse
	status, apiErr, err := c.post(ctx, ep, nil, &resp)
	if err != nil {
		return crm.Page{}, err
	}
	if apiErr != nil {
		return crm.Page{}, c.callError(status, apiErr)
	}
	page := crm.Page{Records: c.indexRecords(resp.Results)}
	if resp.Paging != nil && resp.Paging.Next != nil {
		page.Next = resp.Paging.Next.After
	}
	if page.Next == cursor && cursor != "" {
		return crm.Page{}, &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "list paging did not advance"}
	}
	return page, nil
}

// ChangedPage implements crm.Lister with a search on lastmodifieddate GTE
// since, oldest first, MaxSearchLimit per page, in the search budget.
// Search sees an update only after its index lag (UpdateSearchLag): keep
// the watermark that far behind the clock.
//
// The cursor is "<watermark ms>:<skip>". Each page restarts the search at
// the newest modification time it returned, skipping the records already
// seen at that very time: a record modified while paging moves to the end
// rather than shifting an offset over an unseen one, and a long refresh
// never reaches the MaxSearchResults cap of one query.
func (c *Client) ChangedPage(ctx context.Context, since time.Time, cursor string) (crm.Page, error) {
	mark, skip := since.UnixMilli(), 0
	if cursor != "" {
		var err error
		if mark, skip, err = parseChangedCursor(cursor); err != nil {
			return crm.Page{}, &crm.Error{Reason: crm.ReasonValidation, Message: err.Error()}
		}
	}
	if skip+changedPageLimit > MaxSearchResults {
		return crm.Page{}, &crm.Error{Reason: crm.ReasonValidation,
			Message: fmt.Sprintf("more than %d HubSpot contacts share one modification time; the refresh cannot page past them", MaxSearchResults-changedPageLimit)}
	}
	req := SearchRequest{
		FilterGroups: []FilterGroup{{Filters: []Filter{{
			PropertyName: PropLastModifiedDate, Operator: OpGTE, Value: strconv.FormatInt(mark, 10),
		}}}},
		Properties: indexProperties,
		Sorts:      []Sort{{PropertyName: PropLastModifiedDate, Direction: SortAscending}},
		Limit:      changedPageLimit,
		After:      strconv.Itoa(skip),
	}
	var resp listResponse
	status, apiErr, err := c.post(ctx, epSearch, req, &resp)
	if err != nil {
		return crm.Page{}, err
	}
	if apiErr != nil {
		return crm.Page{}, c.callError(status, apiErr)
	}
	page := crm.Page{Records: c.indexRecords(resp.Results), Total: resp.Total}
	if resp.Paging == nil || resp.Paging.Next == nil || len(page.Records) == 0 {
		return page, nil
	}
	last := page.Records[len(page.Records)-1].UpdatedAt.UnixMilli()
	if last < mark {
		return crm.Page{}, &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "search returned a record modified before the watermark"}
	}
	nextSkip := 0
	for i := len(page.Records) - 1; i >= 0 && page.Records[i].UpdatedAt.UnixMilli() == last; i-- {
		nextSkip++
	}
	if last == mark {
		nextSkip = skip + len(page.Records)
	}
	page.Next = strconv.FormatInt(last, 10) + ":" + strconv.Itoa(nextSkip)
	return page, nil
}

func parseChangedCursor(s string) (int64, int, error) {
	a, b, ok := strings.Cut(s, ":")
	mark, err1 := strconv.ParseInt(a, 10, 64)
	skip, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || skip < 0 {
		return 0, 0, fmt.Errorf("not a cursor of ChangedPage: %.40q", s)
	}
	return mark, skip, nil
}

// ReadByIDs implements crm.Lister with batch/read, MaxBatchInputs ids per
// call. Ids not found among active records are read again with
// archived=true; those found there come back with Archived set, the rest
// are left out (deleted). Records come back in the order of ids.
func (c *Client) ReadByIDs(ctx context.Context, ids []string) ([]crm.IndexedRecord, error) {
	want := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	found := make(map[string]crm.IndexedRecord, len(want))
	for _, archived := range []bool{false, true} {
		var missing []string
		for _, id := range want {
			if _, ok := found[id]; !ok {
				missing = append(missing, id)
			}
		}
		for start := 0; start < len(missing); start += MaxBatchInputs {
			chunk := missing[start:min(start+MaxBatchInputs, len(missing))]
			recs, err := c.readBatch(ctx, chunk, archived)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if seen[r.ID] {
					r.Archived = r.Archived || archived
					found[r.ID] = r
				}
			}
		}
	}
	out := make([]crm.IndexedRecord, 0, len(found))
	for _, id := range want {
		if r, ok := found[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// readBatch reads up to MaxBatchInputs ids. A 207 names the ids it did not
// find in its errors; they are simply absent from the result, as they are
// when HubSpot leaves them out silently, or answers 404 for all of them.
func (c *Client) readBatch(ctx context.Context, ids []string, archived bool) ([]crm.IndexedRecord, error) {
	req := BatchReadRequest{Inputs: make([]ObjectID, len(ids)), Properties: indexProperties, PropertiesWithHistory: []string{}}
	for i, id := range ids {
		req.Inputs[i] = ObjectID{ID: id}
	}
	ep := epRead
	ep.path += "?archived=" + strconv.FormatBool(archived)
	var resp listResponse
	status, apiErr, err := c.post(ctx, ep, req, &resp)
	if err != nil {
		return nil, err
	}
	if apiErr != nil {
		if status == http.StatusNotFound || apiErr.Category == CategoryNotFound {
			return nil, nil
		}
		return nil, c.callError(status, apiErr)
	}
	for _, e := range resp.Errors {
		if e.Category != CategoryNotFound {
			return nil, &crm.Error{Reason: reasonOf(0, e.Category, e.Message, e.Errors), Status: status, Message: c.clean(e.Message)}
		}
	}
	return c.indexRecords(resp.Results), nil
}

// Count is the number of active contacts: a one-record search with no
// filter, whose answer carries the total (search budget, not general).
func (c *Client) Count(ctx context.Context) (int, error) {
	req := SearchRequest{FilterGroups: []FilterGroup{}, Properties: []string{PropLastModifiedDate}, Sorts: []Sort{}, Limit: 1, After: "0"}
	var resp listResponse
	status, apiErr, err := c.post(ctx, epSearch, req, &resp)
	if err != nil {
		return 0, err
	}
	if apiErr != nil {
		return 0, c.callError(status, apiErr)
	}
	return resp.Total, nil
}

// listResponse decodes list, search and batch/read answers alike. The
// records are decoded into fixed fields, not a map per record: listings
// run to a million records.
type listResponse struct {
	Total   int             `json:"total"`
	Results []indexObject   `json:"results"`
	Paging  *Paging         `json:"paging"`
	Errors  []StandardError `json:"errors"`
}

type indexObject struct {
	ID         string     `json:"id"`
	Properties indexProps `json:"properties"`
	UpdatedAt  string     `json:"updatedAt"`
	Archived   bool       `json:"archived"`
}

// indexProps holds the requested properties; HubSpot sends null for
// a requested property without a value, which decodes as "".
type indexProps struct {
	FirstName        string `json:"firstname"`
	LastName         string `json:"lastname"`
	Country          string `json:"country"`
	LastModified     string `json:"lastmodifieddate"`
	Phone            string `json:"phone"`
	Mobile           string `json:"mobilephone"`
	WhatsApp         string `json:"hs_whatsapp_phone_number"`
	CalculatedPhone  string `json:"hs_calculated_phone_number"`
	CalculatedMobile string `json:"hs_calculated_mobile_number"`
}

// indexRecords converts a page. Phone values of all records share one
// backing array, so a record costs its strings and little else.
func (c *Client) indexRecords(objs []indexObject) []crm.IndexedRecord {
	if len(objs) == 0 {
		return nil
	}
	recs := make([]crm.IndexedRecord, len(objs))
	phones := make([]crm.PhoneValue, 0, 3*len(objs))
	for i := range objs {
		o := &objs[i]
		p := &o.Properties
		r := &recs[i]
		r.ID = o.ID
		r.FirstName = cleanText(p.FirstName)
		r.LastName = cleanText(p.LastName)
		switch {
		case r.FirstName == "":
			r.Name = r.LastName
		case r.LastName == "":
			r.Name = r.FirstName
		default:
			r.Name = r.FirstName + " " + r.LastName
		}
		r.Country = cleanText(p.Country)
		r.Archived = o.Archived
		r.UpdatedAt = modified(p.LastModified, o.UpdatedAt)
		start := len(phones)
		phones = appendPhone(phones, PropPhone, p.Phone, p.CalculatedPhone)
		phones = appendPhone(phones, PropMobile, p.Mobile, p.CalculatedMobile)
		phones = appendPhone(phones, PropWhatsAppPhone, p.WhatsApp, "")
		if len(phones) > start {
			r.Phones = phones[start:len(phones):len(phones)]
		}
	}
	return recs
}

// cleanText is crm.CleanText without its allocations for the common case
// of plain ASCII text that is already clean.
func cleanText(s string) string {
	space := true // a leading space needs cleaning
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 0x80 || b < 0x20 || b == 0x7f || b == ' ' && space:
			return crm.CleanText(s)
		default:
			space = b == ' '
		}
	}
	if space && s != "" {
		return crm.CleanText(s)
	}
	return s
}

// appendPhone adds a property's value. A calculated number whose own
// property is empty (HubSpot can derive it from an earlier value) is kept
// too: it is still a number HubSpot holds for the record.
func appendPhone(out []crm.PhoneValue, prop, raw, calculated string) []crm.PhoneValue {
	if strings.TrimSpace(raw) == "" && strings.TrimSpace(calculated) == "" {
		return out
	}
	return append(out, crm.PhoneValue{Property: prop, Raw: raw, Calculated: strings.TrimSpace(calculated), WhatsApp: prop == PropWhatsAppPhone})
}

// modified reads lastmodifieddate (what the refresh filters on), else
// the object's updatedAt; both are ISO 8601.
func modified(prop, updatedAt string) time.Time {
	for _, v := range []string{prop, updatedAt} {
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.UnixMilli(ms).UTC()
		}
	}
	return time.Time{}
}

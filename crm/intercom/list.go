package intercom

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"coexsync/crm"
)

// searchDaySlack widens the incremental search. Intercom's search
// compares timestamps by calendar day in the workspace's time zone, and
// "updated_at > t" starts at the next midnight after t; going back two
// days covers any time zone and a 25-hour day, and the records before
// since are dropped here (answers carry full timestamps).
const searchDaySlack = 48 * time.Hour

var _ crm.Lister = (*Client)(nil)

// indexContactJSON is a contact as the index reads it.
type indexContactJSON struct {
	Type      string  `json:"type"`
	ID        string  `json:"id"`
	Name      *string `json:"name"`
	Phone     *string `json:"phone"`
	UpdatedAt int64   `json:"updated_at"`
	Location  *struct {
		Country *string `json:"country"`
	} `json:"location"`
}

type indexList struct {
	Type       string             `json:"type"`
	Data       []indexContactJSON `json:"data"`
	TotalCount int                `json:"total_count"`
	Pages      *struct {
		Next *struct {
			StartingAfter *string `json:"starting_after"`
		} `json:"next"`
	} `json:"pages"`
}

// dateFilter is one filter on a timestamp field (a UNIX time).
type dateFilter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    int64  `json:"value"`
}

type dateSearchRequest struct {
	Query      dateFilter `json:"query"`
	Pagination pagination `json:"pagination"`
}

// ListPage implements crm.Lister with GET /contacts, MaxPerPage a page;
// Page.Total is Intercom's total_count. Archived contacts are not listed.
func (c *Client) ListPage(ctx context.Context, cursor string) (crm.Page, error) {
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(MaxPerPage))
	if cursor != "" {
		q.Set("starting_after", cursor)
	}
	var page indexList
	if err := c.call(ctx, "list", http.MethodGet, "/contacts?"+q.Encode(), nil, &page, anyTemporary); err != nil {
		return crm.Page{}, err
	}
	return c.indexPage(page, cursor, time.Time{})
}

// Count is Intercom's total_count of contacts, from a one-record page.
func (c *Client) Count(ctx context.Context) (int, error) {
	var page indexList
	if err := c.call(ctx, "list", http.MethodGet, "/contacts?per_page=1", nil, &page, anyTemporary); err != nil {
		return 0, err
	}
	return page.TotalCount, nil
}

// ChangedPage implements crm.Lister with a search on updated_at. Intercom
// cannot sort a contact search (the 2.14 spec has no sort), so records
// come in Intercom's order, not oldest first: advance the watermark only
// after the last page, to the newest UpdatedAt seen. A page may hold
// fewer records than asked, or none, while Next is set; Total counts the
// wider day-based match (see searchDaySlack). New contacts reach search
// only after DefaultSearchLag.
func (c *Client) ChangedPage(ctx context.Context, since time.Time, cursor string) (crm.Page, error) {
	req := dateSearchRequest{
		Query:      dateFilter{Field: "updated_at", Operator: ">", Value: since.Add(-searchDaySlack).Unix()},
		Pagination: pagination{PerPage: MaxPerPage, StartingAfter: cursor},
	}
	var page indexList
	if err := c.call(ctx, "search", http.MethodPost, "/contacts/search", req, &page, anyTemporary); err != nil {
		return crm.Page{}, err
	}
	return c.indexPage(page, cursor, since)
}

// indexPage converts a list answer, keeping records updated at or after
// since (all when since is zero).
func (c *Client) indexPage(page indexList, cursor string, since time.Time) (crm.Page, error) {
	if page.Type != "list" {
		return crm.Page{}, &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "answer is not a list"}
	}
	out := crm.Page{Total: page.TotalCount, Records: make([]crm.IndexedRecord, 0, len(page.Data))}
	phones := make([]crm.PhoneValue, 0, len(page.Data))
	for i := range page.Data {
		ct := &page.Data[i]
		if ct.ID == "" {
			return crm.Page{}, &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "contact without id"}
		}
		r := indexRecord(ct, &phones)
		if !since.IsZero() && r.UpdatedAt.Before(since) {
			continue
		}
		out.Records = append(out.Records, r)
	}
	if page.Pages != nil && page.Pages.Next != nil && page.Pages.Next.StartingAfter != nil {
		out.Next = *page.Pages.Next.StartingAfter
	}
	if out.Next != "" && out.Next == cursor {
		return crm.Page{}, &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "paging repeats a cursor"}
	}
	return out, nil
}

// indexRecord converts a contact; its phone value is appended to the
// page's shared phones array.
func indexRecord(ct *indexContactJSON, phones *[]crm.PhoneValue) crm.IndexedRecord {
	r := crm.IndexedRecord{ID: ct.ID}
	if ct.Name != nil {
		r.Name = crm.CleanText(*ct.Name)
	}
	if ct.Location != nil && ct.Location.Country != nil {
		r.Country = crm.CleanText(*ct.Location.Country)
	}
	if ct.UpdatedAt > 0 {
		r.UpdatedAt = time.Unix(ct.UpdatedAt, 0).UTC()
	}
	if ct.Phone != nil && strings.TrimSpace(*ct.Phone) != "" {
		start := len(*phones)
		*phones = append(*phones, crm.PhoneValue{Property: "phone", Raw: *ct.Phone})
		r.Phones = (*phones)[start : start+1 : start+1]
	}
	return r
}

// ReadByIDs implements crm.Lister with GET /contacts/{id}, up to
// Concurrency at once. A 404 means the contact is gone: deleted, or
// archived (whether Intercom still answers an archived contact by id is
// unverified; the contact model has no archived field, so Archived is
// never set here). Records come back in the order of ids.
func (c *Client) ReadByIDs(ctx context.Context, ids []string) ([]crm.IndexedRecord, error) {
	var want []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	recs := make([]crm.IndexedRecord, len(want))
	found := make([]bool, len(want))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, c.cfg.Concurrency)
	for i, id := range want {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			var ct indexContactJSON
			err := c.call(ctx, "read", http.MethodGet, "/contacts/"+url.PathEscape(id), nil, &ct, anyTemporary)
			var ce *crm.Error
			switch {
			case errors.As(err, &ce) && ce.Reason == crm.ReasonNotFound:
				return
			case err == nil && (ct.Type != "contact" || ct.ID != id):
				err = &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "answer is not the contact asked for"}
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			var phones []crm.PhoneValue
			recs[i], found[i] = indexRecord(&ct, &phones), true
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := recs[:0]
	for i := range recs {
		if found[i] {
			out = append(out, recs[i])
		}
	}
	return out, nil
}

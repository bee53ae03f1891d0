package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/nyaruka/phonenumbers"

	"coexsync/crm/hubspot"
)

// decodeBatch reads a batch body and checks its size; it answers the
// request itself and returns false when the body is refused.
func (s *Server) decodeBatch(w http.ResponseWriter, body []byte, v any, n func() int) bool {
	if err := json.Unmarshal(body, v); err != nil {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "Invalid input JSON: "+err.Error(), nil)
		return false
	}
	if count := n(); count == 0 || count > hubspot.MaxBatchInputs {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation,
			fmt.Sprintf("Batch must hold 1 to %d inputs, got %d", hubspot.MaxBatchInputs, count), nil)
		return false
	}
	return true
}

// handleCreate serves batch/create as the real API answers it: one
// invalid phone fails the whole batch with a 400 whose message embeds the
// detail, and one duplicate fails it with a 409 naming only the first
// existing record; nothing is created either way. With PerItemErrors the
// same failures come back per item in a 207 instead (see Options).
func (s *Server) handleCreate(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req hubspot.BatchCreateRequest
	if !s.decodeBatch(w, body, &req, func() int { return len(req.Inputs) }) {
		return
	}
	s.mu.Lock()
	perItem := s.opts.PerItemErrors
	s.mu.Unlock()
	var invalid []int
	for i, in := range req.Inputs {
		if phone := in.Properties[hubspot.PropPhone]; s.opts.ValidatePhones && phone != "" && !s.validPhone(phone) {
			invalid = append(invalid, i)
		}
	}
	if len(invalid) > 0 && !perItem {
		in := req.Inputs[invalid[0]]
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, invalidPhoneMessage(in.Properties[hubspot.PropPhone]), nil)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var errs []hubspot.StandardError
	skip := map[int]bool{}
	for _, i := range invalid { // per-item mode only
		in := req.Inputs[i]
		e := standardError(hubspot.CategoryValidation, invalidPhoneMessage(in.Properties[hubspot.PropPhone]), traceContext(in.ObjectWriteTraceID, i))
		e.Errors = []hubspot.ErrorDetail{{Message: "invalid phone number", Code: hubspot.CodeInvalidPhone, In: hubspot.PropPhone}}
		errs = append(errs, e)
		skip[i] = true
	}
	for i, in := range req.Inputs {
		if skip[i] {
			continue
		}
		if id := s.holderOf(in.Properties[hubspot.PropPhone]); id != "" {
			msg := "Contact already exists. Existing ID: " + id
			if !perItem {
				writeJSON(w, http.StatusConflict, hubspot.ErrorBody{Status: "error", Message: msg, CorrelationID: s.correlationID(), Category: hubspot.CategoryConflict})
				return
			}
			errs = append(errs, standardError(hubspot.CategoryConflict, msg, traceContext(in.ObjectWriteTraceID, i)))
			skip[i] = true
		}
	}
	created := []hubspot.Object{}
	st := &stamps{created: now, updated: now, visibleAt: now.Add(s.opts.SearchLag)}
	for i, in := range req.Inputs {
		if skip[i] {
			continue
		}
		props := map[string]string{}
		for k, v := range in.Properties {
			props[k] = v
		}
		c := s.add(props, st)
		c.byAPI = true
		o := object(c, nil)
		o.ObjectWriteTraceID = in.ObjectWriteTraceID
		created = append(created, o)
	}
	s.writeBatch(w, http.StatusCreated, created, errs, now)
}

// invalidPhoneMessage is the message of a refused phone: HubSpot's
// "Property values were not valid" text with the validation results
// embedded as JSON, as it reports other refused values (INVALID_EMAIL).
func invalidPhoneMessage(phone string) string {
	detail, _ := json.Marshal([]map[string]any{{
		"isValid": false, "message": phone + " is not a valid phone number",
		"error": hubspot.CodeInvalidPhone, "name": hubspot.PropPhone,
	}})
	return "Property values were not valid: " + string(detail)
}

// holderOf returns the id of a contact already holding phone when the
// account treats phones as unique. The caller holds mu.
func (s *Server) holderOf(phone string) string {
	if !s.opts.UniquePhones {
		return ""
	}
	num, ok := s.parse(phone)
	if !ok {
		return ""
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	for _, c := range s.contacts {
		if c != nil && !c.archived() && (c.props.value(hubspot.PropCalculatedPhone) == e164 || c.props.value(hubspot.PropCalculatedMobile) == e164) {
			return strconv.FormatInt(c.id, 10)
		}
	}
	return ""
}

func (s *Server) handleUpdate(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req hubspot.BatchUpdateRequest
	if !s.decodeBatch(w, body, &req, func() int { return len(req.Inputs) }) {
		return
	}
	seen := map[string]bool{}
	for _, in := range req.Inputs {
		if seen[in.ID] {
			s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "Duplicate IDs found in batch input: ["+in.ID+"]", nil)
			return
		}
		seen[in.ID] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var updated []hubspot.Object
	var missing []string
	for _, in := range req.Inputs {
		id, _ := strconv.ParseInt(in.ID, 10, 64)
		c := s.contact(id)
		if c == nil || c.archived() {
			missing = append(missing, in.ID)
			continue
		}
		s.write(c, in.Properties)
		c.restamp(func(st *stamps) { st.updated = now })
		o := object(c, nil)
		o.ObjectWriteTraceID = in.ObjectWriteTraceID
		updated = append(updated, o)
	}
	var errs []hubspot.StandardError
	if len(missing) > 0 {
		ctx := map[string][]string{hubspot.ContextIDs: missing}
		msg := "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid."
		if len(updated) == 0 {
			writeJSON(w, http.StatusNotFound, hubspot.ErrorBody{Status: "error", Message: msg, CorrelationID: s.correlationID(), Category: hubspot.CategoryNotFound, Context: ctx})
			return
		}
		errs = append(errs, standardError(hubspot.CategoryNotFound, msg, ctx))
	}
	s.writeBatch(w, http.StatusOK, updated, errs, now)
}

// writeBatch answers a batch: status when all went well, 207 with errors
// otherwise. Results are shuffled: HubSpot does not promise their order.
// The caller holds mu.
func (s *Server) writeBatch(w http.ResponseWriter, status int, results []hubspot.Object, errs []hubspot.StandardError, started time.Time) {
	s.rng.Shuffle(len(results), func(i, j int) { results[i], results[j] = results[j], results[i] })
	resp := hubspot.BatchResponse{Status: "COMPLETE", Results: results, StartedAt: stamp(started), CompletedAt: stamp(time.Now())}
	if len(errs) > 0 {
		status = http.StatusMultiStatus
		resp.Errors, resp.NumErrors = errs, len(errs)
	}
	writeJSON(w, status, resp)
}

func standardError(category, msg string, ctx map[string][]string) hubspot.StandardError {
	return hubspot.StandardError{
		Status: "error", Category: category, Message: msg, Context: ctx,
		Errors: []hubspot.ErrorDetail{}, Links: map[string]string{},
	}
}

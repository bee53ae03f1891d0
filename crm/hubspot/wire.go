package hubspot

import "encoding/json"

// JSON shapes of the v3 contacts API, as the published OpenAPI document
// names them; the fake serves the same types.

// SearchRequest is PublicObjectSearchRequest.
type SearchRequest struct {
	FilterGroups []FilterGroup `json:"filterGroups"`
	Properties   []string      `json:"properties"`
	Sorts        []Sort        `json:"sorts"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

// FilterGroup holds filters that are ANDed; groups are ORed.
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// Filter is one condition on a property.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// Filter operators the client uses and the fake understands.
const (
	OpEQ          = "EQ"
	OpIN          = "IN"
	OpHasProperty = "HAS_PROPERTY"
)

// SearchResponse is CollectionResponseWithTotalSimplePublicObject.
type SearchResponse struct {
	Total   int      `json:"total"`
	Results []Object `json:"results"`
	Paging  *Paging  `json:"paging,omitempty"`
}

// Paging carries the cursor of the next page.
type Paging struct {
	Next *NextPage `json:"next,omitempty"`
}

// NextPage is the cursor of the next page.
type NextPage struct {
	After string `json:"after"`
}

// Object is SimplePublicObject.
type Object struct {
	ID                 string            `json:"id"`
	Properties         map[string]string `json:"properties"`
	CreatedAt          string            `json:"createdAt"`
	UpdatedAt          string            `json:"updatedAt"`
	Archived           bool              `json:"archived"`
	ArchivedAt         string            `json:"archivedAt,omitempty"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
}

// BatchCreateRequest is BatchInputSimplePublicObjectBatchInputForCreate.
type BatchCreateRequest struct {
	Inputs []CreateInput `json:"inputs"`
}

// CreateInput is SimplePublicObjectBatchInputForCreate. The trace id is
// echoed on results and errors, which is how items are matched back.
type CreateInput struct {
	Properties         map[string]string `json:"properties"`
	Associations       []any             `json:"associations"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
}

// BatchUpdateRequest is BatchInputSimplePublicObjectBatchInput.
type BatchUpdateRequest struct {
	Inputs []UpdateInput `json:"inputs"`
}

// UpdateInput is SimplePublicObjectBatchInput.
type UpdateInput struct {
	ID                 string            `json:"id"`
	Properties         map[string]string `json:"properties"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
}

// BatchResponse is BatchResponseSimplePublicObject(WithErrors).
type BatchResponse struct {
	Status      string          `json:"status"`
	Results     []Object        `json:"results"`
	Errors      []StandardError `json:"errors,omitempty"`
	NumErrors   int             `json:"numErrors,omitempty"`
	StartedAt   string          `json:"startedAt"`
	CompletedAt string          `json:"completedAt"`
}

// StandardError is one failed item of a 207 answer.
type StandardError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
	Errors   []ErrorDetail       `json:"errors"`
	Links    map[string]string   `json:"links"`
}

// ErrorBody is the body of every non-2xx answer.
type ErrorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	Errors        []ErrorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	PolicyName    string              `json:"policyName,omitempty"` // on 429
	ErrorType     string              `json:"errorType,omitempty"`  // on 429: RATE_LIMIT
}

// ErrorDetail is one entry of errors[].
type ErrorDetail struct {
	Message string       `json:"message"`
	Code    string       `json:"code,omitempty"`
	In      string       `json:"in,omitempty"`
	Context ErrorContext `json:"context,omitempty"`
}

// ErrorContext is the context of an error detail: lists of values by
// key. HubSpot's own reference example sends a string here instead
// ("{missingScopes=[scope1, scope2]}"), which is kept out rather than
// failing the whole answer.
type ErrorContext map[string][]string

// UnmarshalJSON accepts an object of string lists and ignores any other
// shape.
func (c *ErrorContext) UnmarshalJSON(b []byte) error {
	var m map[string][]string
	if json.Unmarshal(b, &m) == nil {
		*c = m
	}
	return nil
}

// Error categories and codes HubSpot uses.
const (
	CategoryValidation = "VALIDATION_ERROR"
	CategoryConflict   = "CONFLICT"
	CategoryRateLimits = "RATE_LIMITS"
	CategoryNotFound   = "OBJECT_NOT_FOUND"
	CategoryAuth       = "INVALID_AUTHENTICATION"
	CategoryScopes     = "MISSING_SCOPES"
	CodeInvalidPhone   = "INVALID_PHONE_NUMBER"
)

// Context keys that name the item an error is about.
const (
	ContextTraceID = "objectWriteTraceId"
	ContextIDs     = "ids"
)

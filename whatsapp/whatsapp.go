// Package whatsapp is the Meta side of coexsync: the Graph API client
// (connected numbers, the one-time Business App contact sync request), the
// signed webhook receiver for smb_app_state_sync, and the parser for saved
// webhook payloads.
package whatsapp

import (
	"context"

	"coexsync/bizapp"
)

// PhoneNumber is one number of a WhatsApp Business Account, as the Graph
// API lists it.
type PhoneNumber struct {
	ID                     string `json:"id"`
	DisplayPhoneNumber     string `json:"display_phone_number"`
	VerifiedName           string `json:"verified_name"`
	QualityRating          string `json:"quality_rating"`
	Status                 string `json:"status"`
	PlatformType           string `json:"platform_type"`
	IsOnBizApp             bool   `json:"is_on_biz_app"`
	CodeVerificationStatus string `json:"code_verification_status"`
}

// Sink stores parsed contact events together with the raw body they came
// in; *store.DB implements it.
type Sink interface {
	SaveContactEvents(ctx context.Context, source string, body []byte, events []bizapp.ContactEvent) (bizapp.SaveResult, error)
}

package sync

import (
	"fmt"
	"strings"

	"coexsync/crm"
	"coexsync/store"
)

// maxOutsideText caps how much of a CRM message or record id ends up in a
// stored sentence: the CRM is outside and its text is not trusted.
const maxOutsideText = 200

// cleanText makes outside text safe to store and show, cut to max runes:
// escapes and invisible characters go, then bearer credentials and URL
// userinfo are redacted (the CRM clients already cut out their token).
func cleanText(s string, max int) string { return crm.VendorText(s, max) }

// nameText cleans a WhatsApp name bound for the CRM. Names are not vendor
// messages: nothing in them is redacted.
func nameText(s string, max int) string { return crm.Clip(crm.CleanText(s), max) }

// failureText is the sentence stored for a CRM refusal: what to do, then
// what the CRM said (cleaned).
func failureText(ce *crm.Error) string {
	text := ce.Reason.Sentence()
	if msg := cleanText(ce.Message, maxOutsideText); msg != "" {
		text += " CRM said: " + msg
	}
	return text
}

// Reason codes the engine stores beside the normalizer's and the CRM's.
const (
	reasonExists    = "exists"
	reasonDuplicate = "duplicate"
	reasonAmbiguous = "ambiguous"
	reasonUnknown   = "unconfirmed"
)

func existsText(id string) string {
	return fmt.Sprintf("Already in the CRM as record %s.", cleanText(id, maxOutsideText))
}

func pendingText(run int64) string {
	return fmt.Sprintf("Run #%d sent a create for this number that is not confirmed yet; it is checked before anything is sent.", run)
}

func duplicateText(e164 string, of int64) string {
	return fmt.Sprintf("Same number %s as contact %d, which is synced instead.", e164, of)
}

func ambiguousText(recs []crm.Record) string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = cleanText(r.ID, 40)
	}
	return fmt.Sprintf("%d CRM records hold this number (%s); merge them in the CRM, then sync again.",
		len(recs), strings.Join(ids, ", "))
}

// outcomeFor starts an outcome for row with the contact's identity filled in.
func outcomeFor(runID int64, row *PlanRow) store.Outcome {
	return store.Outcome{
		RunID:     runID,
		ContactID: row.Contact.ID,
		Name:      contactName(row.Contact),
		Raw:       row.Raw(),
		E164:      row.Number.E164,
	}
}

// contactName is the WhatsApp display name of c.
func contactName(c RowContact) string {
	if c.FullName != "" {
		return c.FullName
	}
	return c.FirstName
}

// maxNameRunes caps a name sent to the CRM.
const maxNameRunes = 200

// crmNames are the WhatsApp names of c as the CRM gets them: display name
// and first/last split, cleaned and capped.
func crmNames(c RowContact) (name, first, last string) {
	first, last = crm.SplitName(c.FullName, c.FirstName)
	return nameText(contactName(c), maxNameRunes), nameText(first, maxNameRunes), nameText(last, maxNameRunes)
}

// recordName is the display name a CRM record holds ("" if none).
func recordName(r crm.Record) string {
	if r.Name != "" {
		return r.Name
	}
	return strings.TrimSpace(r.FirstName + " " + r.LastName)
}

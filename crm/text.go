package crm

import "coexsync/internal/vendortext"

// The text rules live in vendortext, shared with the WhatsApp client;
// these names keep the engine's callers as they were.

// CleanText drops control and format characters (including zero-width and
// bidi overrides and invalid UTF-8) and folds whitespace: for names bound
// for a CRM and for vendor messages bound for a screen or a log.
func CleanText(s string) string { return vendortext.Clean(s) }

// Redacted replaces every secret, bearer credential and URL userinfo.
const Redacted = vendortext.Redacted

// VendorText makes text a vendor sent back safe to keep and show: control
// characters and escapes dropped, every secret given cut out (even when
// split by invisible characters), bearer credentials and URL userinfo
// redacted, and the result cut to max runes. See vendortext.Safe.
func VendorText(s string, max int, secrets ...string) string {
	return vendortext.Safe(s, max, secrets...)
}

// Clip cuts s to max runes, marking the cut with an ellipsis.
func Clip(s string, max int) string { return vendortext.Clip(s, max) }

// Ignorable reports whether r can sit inside a secret without changing how
// it reads (see vendortext.Ignorable).
func Ignorable(r rune) bool { return vendortext.Ignorable(r) }

// Skeleton is s with ignorable characters dropped and case folded: two
// texts that read the same have the same skeleton.
func Skeleton(s string) string { return vendortext.Skeleton(s) }

// RedactSecrets replaces every occurrence of each secret in s with
// [redacted], however it is split or cased (see vendortext.RedactSecrets).
func RedactSecrets(s string, secrets ...string) string {
	return vendortext.RedactSecrets(s, secrets...)
}

// RedactCredentials replaces the credential after "Bearer" or "Basic" and
// the userinfo of URLs.
func RedactCredentials(s string) string { return vendortext.RedactCredentials(s) }

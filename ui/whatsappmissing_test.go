package ui

import (
	"path/filepath"
	"testing"

	"coexsync/backend"
	"coexsync/store"
	"coexsync/ui/common"
)

// With only a CRM token the real backend has no Graph client: the numbers
// screen names the two missing settings instead of an empty list.
func TestNumbersNameMissingWhatsAppSettings(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		db, err := store.Open(filepath.Join(t.TempDir(), "live.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		b := backend.New(backend.Config{Mode: backend.ModeLive, Store: db})
		if !b.WhatsAppMissing() {
			t.Fatal("a live backend without a Graph client must report WhatsApp missing")
		}
		d := drive(t, New(common.Wire(b), Options{Styles: NewStyles(true), ExportDir: t.TempDir()}))
		d.mustShow("[LIVE]", "WHATSAPP_TOKEN and WABA_ID are missing", "Press r to browse past runs.")
		if backend.New(backend.Config{Mode: backend.ModeOffline, Store: db}).WhatsAppMissing() {
			t.Fatal("offline is not missing WhatsApp: it never asks")
		}
	})
}

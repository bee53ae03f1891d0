package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// offlineDB is a real database holding one finished run with two failures,
// one of them named like a spreadsheet formula.
func offlineDB(t *testing.T) *store.DB {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "coexsync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	events := []store.ContactEvent{
		{NumberID: "1001", Phone: "12345", FullName: "=HYPERLINK(\"http://x\")", Action: store.ActionAdd, Timestamp: uitest.Clock},
		{NumberID: "1001", Phone: "5511987654321", FullName: "Ana Lima", Action: store.ActionAdd, Timestamp: uitest.Clock},
	}
	if _, err := db.SaveContactEvents(ctx, "test", []byte(`{"test":1}`), events); err != nil {
		t.Fatal(err)
	}
	contacts, err := db.Contacts(ctx, "1001")
	if err != nil || len(contacts) != 2 {
		t.Fatalf("contacts %v, %v", contacts, err)
	}
	id, err := db.CreateRun(ctx, store.Run{NumberID: "1001", CRM: "hubspot", Target: "hubspot test",
		Mode: store.ModeLive, Status: store.RunRunning, StartedAt: uitest.Clock, Total: 2})
	if err != nil {
		t.Fatal(err)
	}
	var outs []store.Outcome
	for _, c := range contacts {
		outs = append(outs, store.Outcome{RunID: id, ContactID: c.ID, Name: c.FullName, Raw: c.Phone,
			Status: store.OutcomeFailed, Reason: "invalid_country_code", ReasonText: "Ask for the country code.",
			Attempts: 1, UpdatedAt: uitest.Clock})
	}
	if err := db.RecordOutcomes(ctx, "hubspot test", outs); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, id, store.RunFinished, ""); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestOfflineRunsOverRealDatabase(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.ModeName, b.CRMList, b.EngineErr = common.ModeOffline, nil, errors.New("offline")
		b.St = offlineDB(t)
		a := newApp(t, b, common.RunsScreen)
		d := drive(t, a)
		d.mustShow("[OFFLINE]", "finished", "Newest first.")
		d.keys("enter").mustShow("Run #1 failures: 2 of 2", "=HYPERLINK", "Ana Lima")
		d.keys("e", "enter").mustShow("failures to")
		data, err := os.ReadFile(filepath.Join(a.c.ExportDir, "coexsync-run-1-failures.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `'=HYPERLINK`) || !strings.Contains(string(data), "Ana Lima") {
			t.Fatalf("export lacks the failures or runs a formula:\n%s", data)
		}
	})
}

package whatsapp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"coexsync/whatsapp"
)

func item(phone, action, ts string) string {
	return `{"type":"contact","contact":{"phone_number":"` + phone + `"},"action":"` + action + `","metadata":{"timestamp":"` + ts + `"}}`
}

func compact(b []byte) string { return strings.Join(strings.Fields(string(b)), " ") }

func TestImportPrettySingleObject(t *testing.T) {
	sink := newMemSink()
	pretty := "\n\n" + string(stateSyncBody(anaItem, item("447700900123", "add", "1732450001"))) + "\n"
	res, err := whatsapp.Import(context.Background(), sink, "import:a.json", strings.NewReader(pretty))
	if err != nil {
		t.Fatal(err)
	}
	if res.Payloads != 1 || res.Events != 2 || res.Added != 2 {
		t.Errorf("result %+v", res)
	}
	if len(sink.current()) != 2 {
		t.Errorf("stored %v", sink.current())
	}
	for body, src := range sink.bodies {
		if body != strings.TrimSpace(pretty) || src != "import:a.json" {
			t.Errorf("body not stored verbatim under its source: %q %q", src, body)
		}
	}
}

func TestImportJSONLines(t *testing.T) {
	lines := []string{
		compact(stateSyncBody(item("5511987654321", "add", "100"))),
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{}}]}]}`,
		compact(stateSyncBody(item("5511987654321", "remove", "200"), `{"type":"contact","contact":{},"action":"add"}`)),
		compact(stateSyncBody(item("5511987654321", "add", "100"))), // replayed line
	}
	sink := newMemSink()
	res, err := whatsapp.Import(context.Background(), sink, "f", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Payloads != 4 || res.Ignored != 1 || res.Duplicates != 1 || res.Added != 1 || res.Removed != 1 {
		t.Errorf("result %+v", res)
	}
	if want := "4 bodies (1 already stored, 1 without contacts): 3 events, 1 added, 0 updated, 1 removed, 0 unchanged, 1 items skipped"; res.String() != want {
		t.Errorf("summary %q, want %q", res.String(), want)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "f line 3:") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if len(sink.current()) != 0 {
		t.Errorf("removed contact still current: %v", sink.current())
	}
}

func TestImportMalformedLineKeepsEarlierBodies(t *testing.T) {
	good := compact(stateSyncBody(anaItem))
	later := compact(stateSyncBody(item("15551234567", "add", "5")))
	cases := map[string]struct {
		file     string
		wantLine string
	}{
		"broken json":   {good + "\n" + `{"object":"whatsapp_business_account","entry":[` + "\n" + later, "line 2:"},
		"not whatsapp":  {good + "\n\n" + `{"object":"page","entry":[]}` + "\n" + later, "line 3:"},
		"trailing junk": {good + "\n" + "garbage", "line 2:"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sink := newMemSink()
			res, err := whatsapp.Import(context.Background(), sink, "f.jsonl", strings.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.wantLine) || !strings.HasPrefix(err.Error(), "f.jsonl") {
				t.Fatalf("error %v, want one naming the file and %s", err, c.wantLine)
			}
			if res.Payloads != 1 || len(sink.current()) != 1 {
				t.Errorf("earlier body lost: result %+v stored %v", res, sink.current())
			}
			if _, ok := sink.current()["PN1|15551234567"]; ok {
				t.Error("a body after the bad line was saved")
			}
		})
	}
}

func TestImportEmptyAndSinkError(t *testing.T) {
	if _, err := whatsapp.Import(context.Background(), newMemSink(), "e", strings.NewReader(" \n")); err == nil {
		t.Error("empty file imported without error")
	}
	sink := newMemSink()
	sink.setErr(errors.New("db locked"))
	res, err := whatsapp.Import(context.Background(), sink, "s", strings.NewReader(string(stateSyncBody(anaItem))))
	if err == nil || !strings.Contains(err.Error(), "db locked") || res.Payloads != 0 {
		t.Errorf("sink error not reported: %v %+v", err, res)
	}
}

func TestParseFileSplitsBodies(t *testing.T) {
	file := "{\"a\":1}\n  {\n\"b\": 2\n}\n{\"c\":3}"
	ps, err := whatsapp.ParseFile(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, compact(p.Raw)+"@"+string(rune('0'+p.Line)))
	}
	if want := `{"a":1}@1,{ "b": 2 }@2,{"c":3}@5`; strings.Join(got, ",") != want {
		t.Errorf("got %s, want %s", strings.Join(got, ","), want)
	}
	ps, err = whatsapp.ParseFile(strings.NewReader("{\"a\":1}\n{oops}"))
	if err == nil || len(ps) != 1 || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("malformed second body: %v, %d payloads", err, len(ps))
	}
}

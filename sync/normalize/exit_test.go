package normalize

import "testing"

func TestRegionExitCodes(t *testing.T) {
	for _, c := range []struct{ raw, region, want string }{
		{"0011 44 20 7946 0958", "AU", "+442079460958"}, // Australia's exit code
		{"0021 44 20 7946 0958", "BR", "+442079460958"}, // Brazil: 00 + carrier
		{"00 55 11 98765 4321", "BR", "+5511987654321"}, // plain 00 still works there
		{"0044 20 7946 0958", "US", "+442079460958"},    // 00 outside its region
		{"011 44 20 7946 0958", "US", "+442079460958"},
	} {
		if got := Number(c.raw, c.region); got.E164 != c.want {
			t.Errorf("Number(%q, %s) = %q (%s), want %s", c.raw, c.region, got.E164, got.Reason, c.want)
		}
	}
}

func TestStoredReadsPeopleNotWhatsAppIDs(t *testing.T) {
	for _, c := range []struct{ raw, region, want string }{
		// Bare digits typed in a CRM are national first: 479-234 is a
		// valid US number, so it beats the Norwegian reading a WhatsApp
		// id of the same digits gets; 479-123 is not, so Norway stands.
		{"4792345678", "US", "+14792345678"},
		{"4791234567", "US", "+4791234567"},
		{"5215512345678", "MX", "+525512345678"},
		{"33612345678", "ES", "+33612345678"},
		{"5511987654321", "", "+5511987654321"}, // no region: a WhatsApp id
		{"(207) 946-0958", "", ""},              // no region, national: no reading
		{"+44 20 7946 0958", "", "+442079460958"},
	} {
		got := Stored(c.raw, c.region)
		if got.E164 != c.want {
			t.Errorf("Stored(%q, %q) = %q (%s), want %q", c.raw, c.region, got.E164, got.Reason, c.want)
		}
	}
	if got := Stored("(207) 946-0958", ""); got.Reason != ReasonInvalidCountryCode || got.Message != msgNoCountry {
		t.Errorf("national without region: %+v", got)
	}
	if n := Number("4792345678", "US"); n.E164 != "+4792345678" {
		t.Errorf("Number keeps reading WhatsApp ids first: %+v", n)
	}
}

func TestHasExtension(t *testing.T) {
	for raw, want := range map[string]bool{
		"+1 415 734 2671 x12": true, "415-734-2671x12": true, "(415) 734-2671 ext. 12": true,
		"415.734.2671;ext=3": true, "+1 415 734 2671 #12": true, "+1 415 734 2671 ＃１２": true,
		"+1 (415) 734-2671 extension 7": true, "+55 11 3456-0808 ramal 12": true,
		"+7 495 123-45-67 доб. 123": true, "+1 415 734 2671, 12": true,
		"+1 415 734 2671": false, "(415) 734-2671": false, "＋４４ ２０ ７９４６ ０９５８": false,
		"+٩٧١ ٥٠ ١٢٣ ٤٥٦٧": false, "\u200e+20 100 123 4567\u00a0": false, "": false, "call me": false,
	} {
		if got := HasExtension(raw); got != want {
			t.Errorf("HasExtension(%q) = %v, want %v", raw, got, want)
		}
	}
}

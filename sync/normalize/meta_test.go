package normalize

import (
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// checkRegionOf fails when the compiled metadata disagrees with the
// library on the region or the validity of +cc nsn.
func checkRegionOf(t *testing.T, cc int32, nsn string) {
	t.Helper()
	pn := numberFrom(cc, nsn)
	if pn == nil {
		return
	}
	wantRegion := phonenumbers.GetRegionCodeForNumber(pn)
	wantValid := phonenumbers.IsValidNumber(pn)
	region, valid := regionOf(cc, nsn)
	if valid != wantValid || (wantRegion != "" && region != wantRegion) || (wantRegion == "" && valid) {
		t.Fatalf("+%d %s: regionOf = %q %v, library = %q %v", cc, nsn, region, valid, wantRegion, wantValid)
	}
}

func TestRegionOfAgreesWithLibrary(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	checked := 0
	check := func(pn *phonenumbers.PhoneNumber) {
		if pn == nil {
			return
		}
		nsn := phonenumbers.GetNationalSignificantNumber(pn)
		cc := pn.GetCountryCode()
		// The example, a digit more, a digit less and a changed digit.
		for _, v := range []string{nsn, nsn + "7", nsn[:len(nsn)-1], nsn[:len(nsn)-1] + "9", "1" + nsn} {
			if v != "" {
				checkRegionOf(t, cc, v)
				checked++
			}
		}
	}
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			check(phonenumbers.GetExampleNumberForType(region, typ))
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		check(phonenumbers.GetExampleNumberForNonGeoEntity(cc))
	}
	if checked < 1000 {
		t.Fatalf("only %d numbers checked", checked)
	}
}

func TestRegionOfUnknownCallingCode(t *testing.T) {
	for _, cc := range []int32{0, -1, 999, 1000, 1 << 30} {
		if region, ok := regionOf(cc, "2015550123"); ok || region != "" {
			t.Errorf("regionOf(%d) = %q %v, want nothing", cc, region, ok)
		}
	}
}

func TestE164Text(t *testing.T) {
	for _, n := range []parsed{{cc: 1, nsn: "4155552671"}, {cc: 998, nsn: "901234567"}, {cc: 39, nsn: "0612345678"}} {
		want := "+" + strconv.Itoa(int(n.cc)) + n.nsn
		if got := n.e164(); got != want {
			t.Errorf("e164 = %q, want %q", got, want)
		}
	}
}

// FuzzRegionOf: the compiled metadata reads any calling code and national
// number exactly as the library does.
func FuzzRegionOf(f *testing.F) {
	for _, seed := range []struct {
		cc  int32
		nsn string
	}{{1, "4155552671"}, {1, "6135550123"}, {44, "7400123456"}, {7, "7012345678"}, {52, "15512345678"},
		{55, "1187654321"}, {800, "12345678"}, {599, "95181234"}, {262, "269601234"}, {39, "612345678"}} {
		f.Add(seed.cc, seed.nsn)
	}
	f.Fuzz(func(t *testing.T, cc int32, nsn string) {
		if !plainNSN(nsn) {
			return
		}
		checkRegionOf(t, cc, nsn)
	})
}

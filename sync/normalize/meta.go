package normalize

import (
	"regexp"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// The library validates a number by matching its national significant
// number against every number type of its region, building each pattern
// string anew and looking its compiled form up behind a lock, and it runs
// each type's pattern twice. Validation is the cost of normalizing, so this
// file keeps, per calling code, the library's own metadata with every
// pattern compiled once, and answers exactly what phonenumbers.IsValidNumber
// and GetRegionCodeForNumber answer (checked against them on every
// region's example numbers by the tests).

// desc is one number type of a region: the lengths it allows (any when
// empty) and its pattern, anchored at both ends. A nil desc matches nothing.
type desc struct {
	lengths []int32
	re      *regexp.Regexp
}

func (d *desc) matches(nsn string) bool {
	if d == nil {
		return false
	}
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.re.MatchString(nsn)
}

// regionMeta is the compiled metadata of one region ("001" for the
// non-geographic entity of a calling code). Its number types compile on
// the first number validated there: a calling code can span dozens of
// regions (+1 has 25) of which a sync meets a few, and each region's
// patterns take about 100 KB compiled.
type regionMeta struct {
	id      string
	leading *regexp.Regexp              // the region's leading digits, nil when none
	md      *phonenumbers.PhoneMetadata // nil: nothing is valid here
	once    sync.Once
	general *desc
	// types are the descs that make a number valid once general matches:
	// every specific type, and mobile only when it differs from fixed line.
	types []*desc
}

// valid is getNumberTypeHelper(nsn) != UNKNOWN.
func (r *regionMeta) valid(nsn string) bool {
	r.once.Do(r.compile)
	if !r.general.matches(nsn) {
		return false
	}
	for _, d := range r.types {
		if d.matches(nsn) {
			return true
		}
	}
	return false
}

// callingMeta is every region of one calling code, in the library's order.
type callingMeta struct {
	regions []*regionMeta
}

// region is the region GetRegionCodeForNumber gives +cc nsn and whether
// IsValidNumberForRegion holds for it.
func (c *callingMeta) region(nsn string) (string, bool) {
	switch len(c.regions) {
	case 0:
		return "", false
	case 1:
		r := c.regions[0]
		return r.id, r.valid(nsn)
	}
	for _, r := range c.regions {
		if r.leading != nil {
			if r.leading.MatchString(nsn) {
				return r.id, r.valid(nsn)
			}
			continue
		}
		if r.valid(nsn) {
			return r.id, true
		}
	}
	return "", false
}

// maxCallingCode bounds calling codes (at most three digits).
const maxCallingCode = 1000

// callingMetas caches the compiled metadata of each calling code, built
// on first use: a sync uses a handful of codes, never all of them.
var callingMetas [maxCallingCode]atomic.Pointer[callingMeta]

// metadataByRegion indexes the library's metadata once: geographic
// regions by ISO code, non-geographic entities by calling code.
var metadataByRegion = sync.OnceValues(func() (map[string]*phonenumbers.PhoneMetadata, map[int32]*phonenumbers.PhoneMetadata) {
	geo := map[string]*phonenumbers.PhoneMetadata{}
	nonGeo := map[int32]*phonenumbers.PhoneMetadata{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return geo, nonGeo
	}
	for _, md := range coll.GetMetadata() {
		if md.GetId() == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			nonGeo[md.GetCountryCode()] = md
		} else {
			geo[md.GetId()] = md
		}
	}
	return geo, nonGeo
})

// metaFor is the compiled metadata of calling code cc (no regions when cc
// is not a calling code).
func metaFor(cc int32) *callingMeta {
	if cc <= 0 || cc >= maxCallingCode {
		return &callingMeta{}
	}
	if m := callingMetas[cc].Load(); m != nil {
		return m
	}
	// Two goroutines may build the same code at once: both results are
	// equal, and the first stored wins.
	m := buildCallingMeta(cc)
	if !callingMetas[cc].CompareAndSwap(nil, m) {
		return callingMetas[cc].Load()
	}
	return m
}

func buildCallingMeta(cc int32) *callingMeta {
	geo, nonGeo := metadataByRegion()
	m := &callingMeta{}
	for _, id := range phonenumbers.GetRegionCodesForCountryCode(int(cc)) {
		md := geo[id]
		if id == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			md = nonGeo[cc]
		}
		if md != nil && id != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY && md.GetCountryCode() != cc {
			// IsValidNumberForRegion refuses a region of another code.
			r := newRegion(id, md)
			r.md = nil
			m.regions = append(m.regions, r)
			continue
		}
		m.regions = append(m.regions, newRegion(id, md))
	}
	return m
}

// newRegion is the region of md, its leading digits compiled; md nil, or
// leading digits that do not compile (the library would panic), make a
// region where nothing is valid.
func newRegion(id string, md *phonenumbers.PhoneMetadata) *regionMeta {
	r := &regionMeta{id: id, md: md}
	if md == nil {
		return r
	}
	if ld := md.GetLeadingDigits(); ld != "" {
		re, err := regexp.Compile("^(?:" + ld + ")")
		if err != nil {
			r.md = nil
			return r
		}
		r.leading = re
	}
	return r
}

// compile compiles the region's number types; a pattern that does not
// compile leaves nothing valid.
func (r *regionMeta) compile() {
	md := r.md
	if md == nil {
		return
	}
	general, ok := compileDesc(md.GetGeneralDesc())
	if !ok {
		return
	}
	specific := []*phonenumbers.PhoneNumberDesc{
		md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(), md.GetVoip(),
		md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine(),
	}
	if !md.GetSameMobileAndFixedLinePattern() {
		specific = append(specific, md.GetMobile())
	}
	var types []*desc
	for _, pd := range specific {
		d, ok := compileDesc(pd)
		if !ok {
			return
		}
		if d != nil {
			types = append(types, d)
		}
	}
	r.general, r.types = general, types
}

// compileDesc compiles pd as the library matches it; nil (with ok) when
// it can match no national number: no desc, or an empty pattern, which
// only the empty string matches.
func compileDesc(pd *phonenumbers.PhoneNumberDesc) (*desc, bool) {
	pattern := pd.GetNationalNumberPattern()
	if pd == nil || pattern == "" {
		return nil, true
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return nil, false
	}
	return &desc{lengths: pd.GetPossibleLength(), re: re}, true
}

// regionOf is phonenumbers.GetRegionCodeForNumber for +cc nsn, and
// whether the number is valid there (phonenumbers.IsValidNumber).
func regionOf(cc int32, nsn string) (string, bool) {
	return metaFor(cc).region(nsn)
}

// regionMetadata is the library's metadata of a geographic region (nil
// when region is not one).
func regionMetadata(region string) *phonenumbers.PhoneMetadata {
	geo, _ := metadataByRegion()
	return geo[region]
}

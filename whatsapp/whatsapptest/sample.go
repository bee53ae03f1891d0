package whatsapptest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// country renders mobile numbers of one country the ways people save them.
type country struct {
	region string
	cc     string
	// nsn returns a national significant number (no trunk prefix).
	nsn func(r *rand.Rand) string
	// trunk is the national dialling prefix ("0", "1" for US is none).
	trunk string
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func oneOf(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

var countries = []country{
	{region: "BR", cc: "55", trunk: "0", nsn: func(r *rand.Rand) string {
		ddd := oneOf(r, "11", "21", "31", "41", "51", "61", "71", "81", "85", "92")
		if r.IntN(4) == 0 { // saved before the ninth digit was added
			return ddd + oneOf(r, "8", "9") + digits(r, 7)
		}
		return ddd + "9" + oneOf(r, "6", "7", "8", "9") + digits(r, 7)
	}},
	{region: "MX", cc: "52", trunk: "", nsn: func(r *rand.Rand) string {
		nsn := oneOf(r, "55", "33", "81") + digits(r, 8)
		if r.IntN(2) == 0 { // WhatsApp's old mobile form: 52 1 …
			return "1" + nsn
		}
		return nsn
	}},
	{region: "AR", cc: "54", trunk: "0", nsn: func(r *rand.Rand) string {
		area := oneOf(r, "11", "351", "341", "261")
		nsn := area + oneOf(r, "4", "5", "6") + digits(r, 9-len(area))
		if r.IntN(3) != 0 { // mobile: 54 9 …
			return "9" + nsn
		}
		return nsn
	}},
	{region: "US", cc: "1", trunk: "", nsn: func(r *rand.Rand) string {
		return oneOf(r, "212", "305", "312", "415", "617", "646", "702", "213") +
			fmt.Sprint(2+r.IntN(8)) + digits(r, 6)
	}},
	{region: "GB", cc: "44", trunk: "0", nsn: func(r *rand.Rand) string {
		return "7" + oneOf(r, "4", "5", "7", "8", "9") + digits(r, 8)
	}},
	{region: "IN", cc: "91", trunk: "0", nsn: func(r *rand.Rand) string {
		return oneOf(r, "6", "7", "8", "9") + digits(r, 9)
	}},
	{region: "DE", cc: "49", trunk: "0", nsn: func(r *rand.Rand) string {
		return oneOf(r, "151", "160", "170", "171", "172", "176") + digits(r, 7+r.IntN(2))
	}},
	{region: "NG", cc: "234", trunk: "0", nsn: func(r *rand.Rand) string {
		return oneOf(r, "70", "80", "81", "90", "91") + oneOf(r, "3", "6", "8") + digits(r, 7)
	}},
	{region: "ID", cc: "62", trunk: "0", nsn: func(r *rand.Rand) string {
		return "8" + oneOf(r, "11", "12", "13", "21", "52", "57") + digits(r, 7+r.IntN(2))
	}},
	{region: "ES", cc: "34", trunk: "", nsn: func(r *rand.Rand) string {
		return oneOf(r, "6", "7") + digits(r, 8)
	}},
	{region: "ZA", cc: "27", trunk: "0", nsn: func(r *rand.Rand) string {
		return oneOf(r, "6", "7", "8") + oneOf(r, "1", "2", "3", "4") + digits(r, 7)
	}},
}

func countryFor(region string) country {
	for _, c := range countries {
		if strings.EqualFold(c.region, region) {
			return c
		}
	}
	return countries[0]
}

var firstNames = []string{"Ana", "João", "María", "José", "Valentina", "Mateo", "Emily", "James",
	"Priya", "Arjun", "Lukas", "Sophie", "Chinedu", "Ngozi", "Siti", "Budi", "Oliver", "Amelia",
	"Thandiwe", "Sipho", "Lucía", "Carmen", "Zoë", "Ömer", "Nguyễn", "Aiko"}

var lastNames = []string{"Lima", "Silva", "García", "Hernández", "Fernández", "Smith", "Johnson",
	"Sharma", "Patel", "Müller", "Schmidt", "Okafor", "Adeyemi", "Santoso", "Wijaya", "Brown",
	"Dlamini", "Nkosi", "O'Brien", "van der Berg"}

// oddNames are names a Business App user really types, or an attacker
// could: emoji, business labels, right-to-left text, terminal escapes.
var oddNames = []string{"Mãe ❤️", "Plumber (don't answer)", "محمد علي", "李小龙", "🍕 Pizza Place",
	"\x1b[31mRED\x1b[0m Alert", "Name\nWith Newline", "  spaced  out  ", strings.Repeat("Long", 40)}

// SampleContacts returns n realistic Business App contacts of a business in
// region (ISO code, e.g. "BR"): mostly local numbers, many foreign ones, in
// Meta's digits form and as people type them, some without names, some
// invalid, some with only a user id or username, and a few duplicates.
// The same seed always gives the same list.
func SampleContacts(seed int64, n int, region string) []Contact {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	home := countryFor(region)
	out := make([]Contact, 0, n)
	for i := range n {
		c := sampleName(r)
		roll := r.IntN(100)
		switch {
		case roll < 4 && i > 0: // the same person saved twice
			prev := out[r.IntN(len(out))]
			c.Phone = reformat(r, prev.Phone)
			if prev.Phone == "" {
				c.UserID, c.Username = prev.UserID, prev.Username
			}
		case roll < 9:
			c.Phone = invalidPhone(r)
		case roll < 13:
			c.UserID, c.Username = noPhoneIDs(r, home)
		case roll < 60:
			c.Phone = render(r, home, home.nsn(r), true)
		default:
			other := countries[r.IntN(len(countries))]
			c.Phone = render(r, other, other.nsn(r), other.region == home.region)
		}
		out = append(out, c)
	}
	return out
}

func sampleName(r *rand.Rand) Contact {
	switch roll := r.IntN(100); {
	case roll < 12:
		return Contact{} // saved by number only
	case roll < 18:
		name := oddNames[r.IntN(len(oddNames))]
		return Contact{FullName: name}
	case roll < 30:
		first := firstNames[r.IntN(len(firstNames))]
		return Contact{FullName: first, FirstName: first}
	default:
		first := firstNames[r.IntN(len(firstNames))]
		return Contact{FullName: first + " " + lastNames[r.IntN(len(lastNames))], FirstName: first}
	}
}

// render writes a number the way it may come from the Business App: mostly
// Meta's digits-with-country-code form, sometimes as typed.
func render(r *rand.Rand, c country, nsn string, local bool) string {
	switch roll := r.IntN(10); {
	case roll < 6:
		return c.cc + nsn
	case roll < 8:
		return "+" + c.cc + " " + group(nsn)
	case local && roll == 8:
		return c.trunk + group(nsn) // national format, no country code
	default:
		return "00" + c.cc + nsn
	}
}

// group inserts separators the way people type them.
func group(nsn string) string {
	if len(nsn) < 7 {
		return nsn
	}
	cut := len(nsn) - 4
	return nsn[:2] + " " + nsn[2:cut] + "-" + nsn[cut:]
}

// reformat returns the same number written differently (or identically).
func reformat(r *rand.Rand, phone string) string {
	if phone == "" || r.IntN(2) == 0 {
		return phone
	}
	if strings.HasPrefix(phone, "+") {
		return strings.NewReplacer("+", "", " ", "", "-", "").Replace(phone)
	}
	return "+" + phone
}

func invalidPhone(r *rand.Rand) string {
	return oneOf(r,
		digits(r, 5),          // too short
		"999"+digits(r, 9),    // no such country code
		"0"+digits(r, 10),     // national without a region
		"55"+digits(r, 18),    // too long
		"call me", "+", "N/A", // not a number
		"5511"+"0000"+digits(r, 4)) // invalid for region
}

func noPhoneIDs(r *rand.Rand, home country) (userID, username string) {
	userID = home.region + "." + digits(r, 16)
	username = strings.ToLower(firstNames[r.IntN(len(firstNames)/2)]) + "_" + digits(r, 3)
	switch r.IntN(3) {
	case 0:
		return userID, ""
	case 1:
		return "", username
	}
	return userID, username
}

package phoneindex

import (
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryCode reads the free text a CRM keeps as a record's country
// ("United States", "U.S.", "us", "Deutschland", "España", "UK", "Brasil"…)
// as an ISO 3166 alpha-2 code, or "" when it names no country this table
// knows. Case, accents, dots and extra spaces do not matter. Any ISO alpha-2
// code the numbering metadata supports is accepted as it is.
func CountryCode(text string) string {
	key := foldName(text)
	if key == "" {
		return ""
	}
	if code, ok := countryNames()[key]; ok {
		return code
	}
	// "Saudi Arabia (KSA)", "UAE (Dubai)": the name before the bracket,
	// else the one in it; "Republic of Turkey", "Korea, Republic of": the
	// name without its form of state.
	if before, inside, ok := strings.Cut(text, "("); ok {
		if code := CountryCode(before); code != "" {
			return code
		}
		return CountryCode(strings.TrimSuffix(strings.TrimSpace(inside), ")"))
	}
	for _, form := range statePrefixes {
		if rest, ok := strings.CutPrefix(key, form+" "); ok {
			return CountryCode(rest)
		}
		if rest, ok := strings.CutSuffix(key, " "+form); ok {
			return CountryCode(rest)
		}
	}
	if len(key) == 2 {
		if code := strings.ToUpper(key); phonenumbers.GetSupportedRegions()[code] {
			return code
		}
	}
	return ""
}

// foldName lowercases text, drops accents and punctuation and collapses
// spaces: "  U.S.A. " → "usa", "República  Dominicana" → "republica dominicana".
func foldName(text string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(text) {
		if s, ok := accentFold[r]; ok {
			b.WriteString(s)
			space = false
			continue
		}
		switch {
		case unicode.Is(unicode.Mn, r), r == '.', r == '\'', r == '’':
			// Combining marks and the dots of abbreviations vanish: "U.S." is "us".
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		default:
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	out := strings.TrimSpace(b.String())
	return strings.TrimPrefix(out, "the ")
}

// accentFold maps the accented Latin letters of country names to ASCII.
var accentFold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ı': "i", 'þ': "th"}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćč", "d": "ď", "e": "èéêëēėęě", "g": "ğ", "i": "ìíîïīį",
		"n": "ñńň", "o": "òóôõöō", "r": "ř", "s": "śşšș", "t": "ťţț", "u": "ùúûüūůű",
		"y": "ýÿ", "z": "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// countryNames maps folded names, aliases and ISO alpha-3 codes to ISO
// alpha-2 ("" for a name that must not be read as a country): first
// countryAliases, then every supported region's alpha-3 code and its name
// in the languages CRM users most often write — a name two regions share
// there is dropped. Built on first use, off the console's first frame.
var countryNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for code, names := range countryAliases {
		for _, n := range strings.Split(names, "|") {
			m[foldName(n)] = code
		}
	}
	for _, n := range strings.Split(notCountries, "|") {
		m[foldName(n)] = ""
	}
	generated, shared := map[string]string{}, map[string]bool{}
	for code := range phonenumbers.GetSupportedRegions() {
		r, err := language.ParseRegion(code)
		if err != nil {
			continue
		}
		names := []string{r.ISO3()}
		for _, namer := range regionNamers {
			name := namer.Name(r)
			// "Myanmar (Burma)" is also written "Myanmar".
			before, _, _ := strings.Cut(name, " (")
			names = append(names, name, before)
		}
		for _, n := range names {
			key := foldName(n)
			if key == "" || shared[key] {
				continue
			}
			if _, explicit := m[key]; explicit {
				continue
			}
			if other, ok := generated[key]; ok && other != code {
				shared[key] = true
				delete(generated, key)
				continue
			}
			generated[key] = code
		}
	}
	for key, code := range generated {
		m[key] = code
	}
	return m
})

// regionNamers name regions in English and in the languages of the
// countries whose CRMs coexsync most often reads.
var regionNamers = []display.Namer{
	display.English.Regions(), display.Spanish.Regions(), display.Portuguese.Regions(),
	display.French.Regions(), display.German.Regions(), display.Italian.Regions(),
	display.Dutch.Regions(), display.Arabic.Regions(), display.Russian.Regions(),
	display.Turkish.Regions(), display.Indonesian.Regions(), display.Malay.Regions(),
	display.Polish.Regions(), display.Swedish.Regions(), display.Ukrainian.Regions(),
	display.Hindi.Regions(), display.Thai.Regions(), display.Vietnamese.Regions(),
	display.SimplifiedChinese.Regions(), display.TraditionalChinese.Regions(),
	display.Japanese.Regions(), display.Korean.Regions(), display.Hebrew.Regions(),
	display.Persian.Regions(), display.Filipino.Regions(),
}

// statePrefixes are forms of state written before a country's name, or
// after it with a comma ("Korea, Republic of"), folded.
var statePrefixes = []string{
	"republic of", "the republic of", "kingdom of", "the kingdom of", "state of", "federal republic of",
	"islamic republic of", "people s republic of", "peoples republic of", "democratic republic of", "republica de",
	"republique de", "reino de", "royaume de",
}

// notCountries are names never read as a country: a US CRM's "Georgia" is
// more likely the state than the country.
const notCountries = "Georgia"

// countryAliases lists, per ISO code, the ways people write the country in
// a CRM: English and native names, common short forms and the alpha-3 code.
var countryAliases = map[string]string{
	"US": "United States|United State|United States of America|USA|U.S.|U.S.A.|America|Estados Unidos|EEUU|EE.UU.|EE UU|Estados Unidos de América|" +
		"Estados Unidos da América|EUA|États-Unis|États-Unis d'Amérique|Vereinigte Staaten|Vereinigte Staaten von Amerika|" +
		"Stati Uniti|Stati Uniti d'America|Verenigde Staten|США|Соединённые Штаты|Соединенные Штаты Америки|ABD|" +
		"Amerika Birleşik Devletleri|Amerika Serikat|美国|美國|アメリカ|アメリカ合衆国|미국|الولايات المتحدة الأمريكية",
	"CA": "Canada|CAN",
	"GB": "United Kingdom|UK|U.K.|Great Britain|Great Britian|N. Ireland|Britain|England|Scotland|Wales|Northern Ireland|GBR|Reino Unido|Royaume-Uni|" +
		"Vereinigtes Königreich|Großbritannien|England|Grande-Bretagne|Angleterre|Gran Bretaña|Inglaterra|Regno Unito|" +
		"Inghilterra|Verenigd Koninkrijk|Engeland|Великобритания|Англия|İngiltere|Birleşik Krallık|Inggris|Britania Raya|" +
		"英国|英國|イギリス|영국|المملكة المتحدة|بريطانيا",
	"IE": "Ireland|Éire|Republic of Ireland|IRL",
	"DE": "Germany|Germnay|Deutschland|DEU|Alemania|Allemagne|Germania|Alemanha|Duitsland|Германия|Almanya|Jerman|德国|德國|ドイツ|독일",
	"FR": "France|FRA|Francia|Frankreich|França",
	"ES": "Spain|España|ESP|Espanha|Espagne|Spanien|Spagna",
	"PT": "Portugal|PRT",
	"IT": "Italy|Italia|ITA|Italien|Italie|Itália",
	"NL": "Netherlands|Nederland|Holland|NLD|Países Bajos|Pays-Bas|Niederlande",
	"BE": "Belgium|België|Belgique|Belgien|BEL|Bélgica",
	"CH": "Switzerland|Schweiz|Suisse|Svizzera|CHE|Suiza",
	"AT": "Austria|Österreich|AUT",
	"SE": "Sweden|Sverige|SWE|Suecia",
	"NO": "Norway|Norge|NOR|Noruega",
	"DK": "Denmark|Danmark|DNK|Dinamarca",
	"FI": "Finland|Suomi|FIN|Finlandia",
	"PL": "Poland|Polska|POL|Polonia|Pologne|Polen",
	"CZ": "Czech Republic|Czechia|Česko|Česká republika|CZE",
	"GR": "Greece|Ελλάδα|Hellas|GRC|Grecia",
	"RO": "Romania|România|ROU",
	"HU": "Hungary|Magyarország|HUN",
	"UA": "Ukraine|Україна|UKR|Ucrania",
	"RU": "Russia|Russian Federation|Russian Fed.|RF|РФ|Россия|Российская Федерация|RUS|Rusia",
	"TR": "Turkey|Türkiye|Turkiye|TUR|Turquía",
	"IL": "Israel|ISR",
	"IR": "Iran|Islamic Republic of Iran|ایران|IRN",
	"IQ": "Iraq|العراق|IRQ",
	"JO": "Jordan|الأردن|JOR",
	"LB": "Lebanon|لبنان|LBN",
	"AE": "United Arab Emirates|UAE|U.A.E.|Emirates|ARE|الإمارات|الامارات|الإمارات العربية المتحدة|Emiratos Árabes Unidos|" +
		"Emiratos|Emirados|Emirados Árabes Unidos|EAU|E.A.U.|VAE|Dubai|Abu Dhabi|Sharjah",
	"SA": "Saudi Arabia|Saudi|Saudia|KSA|K.S.A.|SAU|السعودية|المملكة العربية السعودية|Arabia Saudita|Arabie saoudite",
	"QA": "Qatar|QAT|قطر",
	"KW": "Kuwait|KWT|الكويت",
	"EG": "Egypt|EGY|مصر|Misr|Egipto|Égypte",
	"MA": "Morocco|Morroco|Marocco|Morrocco|Maroc|MAR|Marruecos|المغرب",
	"NG": "Nigeria|NGA",
	"CI": "Ivory Coast|Côte d'Ivoire",
	"MK": "North Macedonia|Macedonia",
	"PS": "Palestine|State of Palestine|Palestinian Territories",
	"VA": "Vatican|Vatican City|Holy See",
	"MM": "Myanmar|Burma",
	"GH": "Ghana|GHA",
	"KE": "Kenya|KEN",
	"ZA": "South Africa|S. Africa|RSA|ZAF|Suid-Afrika|Sudáfrica",
	"IN": "India|Bharat|भारत|Hindustan|IND",
	"PK": "Pakistan|PAK",
	"BD": "Bangladesh|Bangla Desh|বাংলাদেশ|BGD",
	"CN": "China|People's Republic of China|PRC|P.R.C.|中国|中華人民共和國|CHN",
	"HK": "Hong Kong|Hongkong|HKG|香港",
	"TW": "Taiwan|TWN|台灣",
	"JP": "Japan|日本|Nippon|JPN|Japón",
	"KR": "South Korea|Korea|Republic of Korea|대한민국|KOR|Corea del Sur",
	"SG": "Singapore|SGP",
	"MY": "Malaysia|MYS",
	"TH": "Thailand|ประเทศไทย|THA",
	"VN": "Vietnam|Viet Nam|VNM",
	"ID": "Indonesia|IDN",
	"PH": "Philippines|Phillipines|Philipines|Phillippines|Pilipinas|PHL|Filipinas",
	"AU": "Australia|AUS",
	"NZ": "New Zealand|Aotearoa|NZL",
	"MX": "Mexico|México|MEX|Méjico|Estados Unidos Mexicanos",
	"GT": "Guatemala|GTM",
	"CR": "Costa Rica|CRI",
	"PA": "Panama|Panamá|PAN",
	"DO": "Dominican Republic|República Dominicana|DOM",
	"PR": "Puerto Rico|PRI",
	"CO": "Colombia|Columbia|COL",
	"VE": "Venezuela|VEN",
	"EC": "Ecuador|ECU",
	"PE": "Peru|Perú|PER",
	"BO": "Bolivia|BOL",
	"CL": "Chile|CHL",
	"AR": "Argentina|ARG|República Argentina",
	"UY": "Uruguay|URY",
	"PY": "Paraguay|PRY",
	"BR": "Brazil|Brasil|BRA|Brésil|Brasilien",
}

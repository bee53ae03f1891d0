package hubspottest

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"coexsync/crm/hubspot"
)

// props are a record's properties packed into one string. A seeded
// account holds tens of thousands of records of a few short properties,
// and a map per record took several times the size of the values. Each
// property is a key byte (an index into knownProps, or customKey followed
// by the key's length and text) and then the value's length and text;
// lengths are uvarints. A property set to "" is held, as HubSpot holds it.
// Writes pack a new string: a props value never changes.
type props struct{ buf string }

// knownProps are the properties packed as one byte.
var knownProps = []string{
	hubspot.PropFirstName, hubspot.PropLastName, hubspot.PropPhone, hubspot.PropMobile,
	hubspot.PropWhatsAppPhone, hubspot.PropCountry,
	hubspot.PropCalculatedPhone, hubspot.PropSearchablePhone,
	hubspot.PropCalculatedMobile, hubspot.PropSearchableMobile,
}

// customKey marks a property whose key is packed as text.
const customKey = 0xff

// knownIndex is the key byte of each known property.
var knownIndex = func() map[string]byte {
	m := make(map[string]byte, len(knownProps))
	for i, k := range knownProps {
		m[k] = byte(i)
	}
	return m
}()

// packProps packs m: known properties in their order, then the others
// by key, so equal maps pack alike.
func packProps(m map[string]string) props {
	var b strings.Builder
	for i, k := range knownProps {
		if v, ok := m[k]; ok {
			b.WriteByte(byte(i))
			writeField(&b, v)
		}
	}
	var custom []string
	for k := range m {
		if _, ok := knownIndex[k]; !ok {
			custom = append(custom, k)
		}
	}
	slices.Sort(custom)
	for _, k := range custom {
		b.WriteByte(customKey)
		writeField(&b, k)
		writeField(&b, m[k])
	}
	return props{b.String()}
}

func writeField(b *strings.Builder, s string) {
	n := uint64(len(s))
	for n >= 0x80 {
		b.WriteByte(byte(n) | 0x80)
		n >>= 7
	}
	b.WriteByte(byte(n))
	b.WriteString(s)
}

// readField reads the field at i and returns where the next one starts.
func readField(buf string, i int) (string, int) {
	var n, shift uint
	for {
		c := buf[i]
		i++
		n |= uint(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
	}
	return buf[i : i+int(n)], i + int(n)
}

// at reads the property at i and returns where the next one starts.
func (p props) at(i int) (key, value string, next int) {
	id := p.buf[i]
	i++
	if id == customKey {
		key, i = readField(p.buf, i)
	} else {
		key = knownProps[id]
	}
	value, next = readField(p.buf, i)
	return key, value, next
}

// all yields every property.
func (p props) all() iter.Seq2[string, string] {
	return func(yield func(key, value string) bool) {
		for i := 0; i < len(p.buf); {
			var k, v string
			k, v, i = p.at(i)
			if !yield(k, v) {
				return
			}
		}
	}
}

// get is the value of key and whether the record holds it.
func (p props) get(key string) (string, bool) {
	for k, v := range p.all() {
		if k == key {
			return v, true
		}
	}
	return "", false
}

// value is the value of key, "" when the record does not hold it.
func (p props) value(key string) string {
	v, _ := p.get(key)
	return v
}

// toMap unpacks every property.
func (p props) toMap() map[string]string { return maps.Collect(p.all()) }

// write sets properties of c as an update does: the calculated phones
// follow. The caller holds mu.
func (s *Server) write(c *contact, set map[string]string) {
	m := c.props.toMap()
	maps.Copy(m, set)
	s.calculate(m)
	c.props = packProps(m)
}

package components

// Ring keeps the last N lines of a log; older lines fall off so a long run
// holds a bounded amount of memory.
type Ring struct {
	buf   []string
	start int
	n     int
}

// NewRing holds up to size lines.
func NewRing(size int) *Ring { return &Ring{buf: make([]string, max(size, 1))} }

// Add appends a line, dropping the oldest when full.
func (r *Ring) Add(s string) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = s
		r.n++
		return
	}
	r.buf[r.start] = s
	r.start = (r.start + 1) % len(r.buf)
}

// Len is how many lines are held.
func (r *Ring) Len() int { return r.n }

// Last returns up to k newest lines, oldest first.
func (r *Ring) Last(k int) []string {
	k = min(max(k, 0), r.n)
	out := make([]string, 0, k)
	for i := r.n - k; i < r.n; i++ {
		out = append(out, r.buf[(r.start+i)%len(r.buf)])
	}
	return out
}

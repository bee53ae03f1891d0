package screens

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	engine "coexsync/sync"
	"coexsync/ui/components"
)

// indexProgressMsg is one report of the index build a plan waits on; the
// reader is re-issued after each, so only Update writes the model.
type indexProgressMsg struct {
	gen int
	p   engine.IndexProgress
	ch  <-chan engine.IndexProgress
}

// latest puts p in ch, replacing a report not read yet: the screen only
// ever needs the newest, and the engine must never wait on the screen.
func latest(ch chan engine.IndexProgress, p engine.IndexProgress) {
	for {
		select {
		case ch <- p:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

func readIndexProgress(gen int, ch <-chan engine.IndexProgress) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return indexProgressMsg{gen: gen, p: p, ch: ch}
	}
}

func (s *Contacts) onIndexProgress(msg indexProgressMsg) tea.Cmd {
	if msg.gen != s.gen {
		return nil
	}
	s.index = msg.p
	return readIndexProgress(msg.gen, msg.ch)
}

// indexLine is an index build in words:
// "reading the CRM's records: 12,300 / 40,000 · 410/s · ETA 1m10s".
func indexLine(p engine.IndexProgress) string {
	what := "reading the CRM's records"
	if p.Phase == "reading changes" {
		what = "reading the CRM's changes"
	}
	line := what + ": " + thousands(p.Read)
	if p.Total > 0 {
		line += " / " + thousands(p.Total)
	}
	if secs := p.Elapsed.Seconds(); secs > 0 && p.Read > 0 {
		rate := float64(p.Read) / secs
		line += fmt.Sprintf(" · %.0f/s", rate)
		if p.Total > p.Read {
			eta := time.Duration(float64(p.Total-p.Read) / rate * float64(time.Second))
			line += " · ETA " + components.Dur(eta.Round(time.Second))
		}
	}
	return line
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

package normalize

import (
	"encoding/json"
	"io"
)

// jsonLine is the stable shape scripts read: every field always present,
// candidates always an array.
type jsonLine struct {
	Raw        string   `json:"raw"`
	E164       string   `json:"e164"`
	Valid      bool     `json:"valid"`
	Reason     Reason   `json:"reason"`
	Message    string   `json:"message"`
	Candidates []string `json:"candidates"`
}

// WriteJSON writes r as one JSON object on its own line.
func WriteJSON(w io.Writer, r Result) error {
	line := jsonLine{
		Raw:        r.Raw,
		E164:       r.E164,
		Valid:      r.Valid,
		Reason:     r.Reason,
		Message:    r.Message,
		Candidates: r.Candidates,
	}
	if line.Candidates == nil {
		line.Candidates = []string{}
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

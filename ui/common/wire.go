package common

import "coexsync/backend"

// wired is the console's view of the real backend: the same thing, with
// the engine and the store behind the console's narrower interfaces.
type wired struct{ *backend.Backend }

// Wire returns the console's Backend over b.
func Wire(b *backend.Backend) Backend { return wired{b} }

func (w wired) Engine(name string) (Engine, error) {
	eng, err := w.Backend.Engine(name)
	if err != nil {
		return nil, err
	}
	return FromSync(eng), nil
}

func (w wired) Store() Store { return w.Backend.Store() }

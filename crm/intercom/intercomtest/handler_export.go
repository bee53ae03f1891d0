package intercomtest

import "net/http"

// Handler is the fake as an http.Handler, for serving it on a listener
// of the caller's (the sandbox server puts its own outage switch and
// create delays in front of it).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

package whatsapptest

import "net/http"

// Handler is the fake Graph API as an http.Handler, for serving it on a
// listener of the caller's (the sandbox server's outage switch sits in
// front of it).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

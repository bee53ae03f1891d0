package intercomtest

import "net/http"

// EndpointMe is the Calls name of GET /me.
const EndpointMe = "me"

// Workspace names of the fake, as GET /me shows them.
const (
	WorkspaceName = "coexsync fake workspace"
	WorkspaceID   = "fakews01"
)

// me answers GET /me with the admin_with_app shape of the 2.14 spec.
func (s *Server) me() answer {
	return answer{status: http.StatusOK, body: map[string]any{
		"type": "admin", "id": "991267459", "name": "Fake Admin", "email": "admin@example.invalid",
		"email_verified": true,
		"app": map[string]any{
			"type": "app", "id_code": WorkspaceID, "name": WorkspaceName,
			"created_at": 1734537243, "secure": false, "identity_verification": false,
			"timezone": "America/Los_Angeles", "region": "US",
		},
		"has_inbox_seat": true,
	}}
}

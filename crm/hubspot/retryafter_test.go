package hubspot

import "coexsync/internal/httpcore"

// retryAfter is the Retry-After reading the client uses; the parser moved
// to httpcore and these tests keep checking it as HubSpot sees it.
var retryAfter = httpcore.RetryAfter

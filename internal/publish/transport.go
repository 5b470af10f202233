package publish

import (
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// headerTimeout is how long a registry may take to answer a request once it
// was sent (a blob's body included) before the request counts as stalled
// and is tried again.
const headerTimeout = 2 * time.Minute

// retryBackoff is how requests that fail transiently (a reset or dropped
// connection, a timeout, 408, 429 or a 5xx, as go-containerregistry
// classifies them) are tried again: five attempts in all, 0.5 s, 1 s, 2 s
// and 4 s apart (with 10% jitter). Any other 4xx fails at once.
var retryBackoff = remote.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 5}

// defaultTransport is go-containerregistry's default transport with a
// response header timeout, so a registry that stalls is retried rather
// than waited on for ever.
func defaultTransport() http.RoundTripper {
	t, ok := remote.DefaultTransport.(*http.Transport)
	if !ok {
		return remote.DefaultTransport
	}
	t = t.Clone()
	t.ResponseHeaderTimeout = headerTimeout
	return t
}

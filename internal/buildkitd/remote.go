package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/moby/buildkit/client"

	// The connection helpers buildctl registers, so that every address
	// buildctl takes works here too: docker-container://, kube-pod://,
	// nerdctl-container://, npipe://, podman-container://, ssh://.
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/npipe"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"
)

// TLS is how wsbuild authenticates itself to a buildkitd listening with TLS
// and checks the daemon's certificate, as buildctl's --tlscacert, --tlscert,
// --tlskey and --tlsservername do. The zero value means no TLS.
type TLS struct {
	// CACert is the PEM file of the CA that signed the daemon's
	// certificate; "" means the system's roots (when TLS is on at all).
	CACert string
	// Cert and Key are the PEM files of the client certificate and its key.
	Cert, Key string
	// ServerName is the name the daemon's certificate must carry; "" means
	// the host of the address, as buildctl guesses it.
	ServerName string
}

// Enabled reports whether t asks for TLS.
func (t TLS) Enabled() bool { return t.CACert != "" || t.Cert != "" || t.Key != "" }

// WithTLS connects to the daemon named by WithAddr (or BUILDKIT_HOST) with
// TLS as t says. It does not apply to the private daemon, which listens on
// a unix socket.
//
// Default: no TLS.
func WithTLS(t TLS) Option {
	return func(o *options) error {
		o.tls = t
		return nil
	}
}

// NewClient returns a BuildKit client for addr: every address the BuildKit
// client and buildctl take (unix://, tcp://, and through BuildKit's
// connection helpers docker-container://, kube-pod://, podman-container://,
// nerdctl-container://, ssh://, npipe://), with TLS as t says. It does not
// contact the daemon; Dial does.
//
// Every connection wsbuild makes to a buildkitd is made here.
func NewClient(ctx context.Context, addr string, t TLS) (*client.Client, error) {
	var opts []client.ClientOpt
	if t.Enabled() {
		name := t.ServerName
		if name == "" {
			u, err := url.Parse(addr)
			if err != nil {
				return nil, fmt.Errorf("buildkitd address %q: %w", addr, err)
			}
			name = u.Hostname()
		}
		if t.CACert != "" {
			opts = append(opts, client.WithServerConfig(name, t.CACert))
		} else {
			opts = append(opts, client.WithServerConfigSystem(name))
		}
		if t.Cert != "" || t.Key != "" {
			opts = append(opts, client.WithCredentials(t.Cert, t.Key))
		}
	}
	c, err := client.New(ctx, addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to buildkitd at %q: %w", addr, err)
	}
	return c, nil
}

// Dial connects to the daemon at addr with TLS as t says and checks that it
// answers. A failed TLS handshake comes back as a *TLSError.
func Dial(ctx context.Context, addr string, t TLS) (*client.Client, error) {
	c, err := NewClient(ctx, addr, t)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if _, err := c.ListWorkers(pctx); err != nil {
		c.Close()
		return nil, dialError(addr, t, err)
	}
	return c, nil
}

// TLSError says that the TLS handshake with a buildkitd failed, in one line
// rather than gRPC's stack of wrappers.
type TLSError struct {
	// Addr is the daemon's address.
	Addr string
	// Reason is the handshake's own reason, such as "tls: failed to verify
	// certificate: x509: certificate signed by unknown authority".
	Reason string
	// Hint says what to check, or "".
	Hint string
	// Err is the error the BuildKit client returned.
	Err error
}

func (e *TLSError) Error() string {
	msg := fmt.Sprintf("TLS handshake with buildkitd at %s failed: %s", e.Addr, e.Reason)
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *TLSError) Unwrap() error { return e.Err }

// tlsHints are the hints for the TLS failures users meet, by a piece of
// the reason; withCert is for a client that gave a certificate.
var tlsHints = []struct{ reason, hint, withCert string }{
	{"certificate required", "the daemon wants a client certificate: give --tlscert and --tlskey",
		// A TLS client sends its certificate only when it is signed by a
		// CA of the daemon's list, so another CA's looks like none.
		"the daemon wants a client certificate signed by a CA it trusts (its --tlscacert), and --tlscert's is not"},
	{"unknown authority", "--tlscacert must be the CA that signed the daemon's certificate", ""},
	{"bad certificate", "the daemon refused the client certificate: it must be signed by a CA the daemon trusts (its --tlscacert)", ""},
	{"unknown certificate authority", "the daemon refused the client certificate: it must be signed by a CA the daemon trusts (its --tlscacert)", ""},
	{"certificate is valid for", "the daemon's certificate is for another name: set --tlsservername", ""},
	{"first record does not look like a TLS handshake", "the daemon does not speak TLS: leave out the --tls flags", ""},
}

// dialError turns the error of a first call to the daemon at addr into one
// that says what went wrong in a line: a *TLSError for a failed handshake.
func dialError(addr string, t TLS, err error) error {
	msg := err.Error()
	if reason, ok := tlsReason(msg); ok {
		e := &TLSError{Addr: addr, Reason: reason, Err: err}
		for _, h := range tlsHints {
			if strings.Contains(reason, h.reason) {
				e.Hint = h.hint
				if h.withCert != "" && t.Cert != "" {
					e.Hint = h.withCert
				}
				break
			}
		}
		return e
	}
	reason := grpcReason(msg)
	if !t.Enabled() && strings.HasPrefix(addr, "tcp://") && strings.Contains(reason, "server preface") {
		return &wrapped{fmt.Sprintf("buildkitd at %q does not answer over plain TCP (%s): if it listens with TLS, give --tlscacert, --tlscert and --tlskey", addr, reason), err}
	}
	return &wrapped{fmt.Sprintf("buildkitd at %q does not answer: %s", addr, reason), err}
}

// wrapped is an error whose message says it all in a line and which still
// unwraps to the error it explains.
type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }

// grpcReason is the innermost description of a gRPC error message (after
// its last "desc = "), or msg itself.
func grpcReason(msg string) string {
	if i := strings.LastIndex(msg, "desc = "); i >= 0 {
		return strings.Trim(msg[i+len("desc = "):], `"`)
	}
	return msg
}

// tlsReason finds the TLS handshake's own reason in a gRPC error message.
func tlsReason(msg string) (string, bool) {
	for _, marker := range []string{"authentication handshake failed: ", "remote error: tls: ", "tls: ", "x509: "} {
		i := strings.Index(msg, marker)
		if i < 0 {
			continue
		}
		if marker == "authentication handshake failed: " {
			i += len(marker)
		}
		return strings.TrimRight(msg[i:], `"`), true
	}
	return "", false
}

// errNoTLSForPrivate is returned when TLS is asked for the private daemon.
var errNoTLSForPrivate = errors.New("TLS settings need a buildkitd address (--addr or BUILDKIT_HOST): the private buildkitd listens on a unix socket")

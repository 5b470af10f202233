package buildkitd

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/connhelper"
)

// TestConnectionHelpersRegistered checks that every scheme buildctl takes
// through a connection helper has one here, as buildctl registers them.
func TestConnectionHelpersRegistered(t *testing.T) {
	for _, addr := range []string{
		"docker-container://buildkitd", "podman-container://buildkitd", "nerdctl-container://buildkitd",
		"kube-pod://buildkitd-0?namespace=ci", "ssh://builder@build.example",
	} {
		h, err := connhelper.GetConnectionHelper(addr)
		if err != nil || h == nil {
			t.Errorf("no connection helper for %s (err %v)", addr, err)
		}
	}
	if h, _ := connhelper.GetConnectionHelper("tcp://127.0.0.1:1234"); h != nil {
		t.Error("tcp:// got a connection helper; gRPC dials it itself")
	}
}

// TestDialErrorIsOneLine checks the errors of a first call that fails:
// TLS failures become a *TLSError with a hint that fits what the client
// gave, everything else loses gRPC's wrappers, and both still unwrap to the
// client's error.
func TestDialErrorIsOneLine(t *testing.T) {
	const addr = "tcp://10.0.0.1:1234"
	withCert := TLS{CACert: "ca.pem", Cert: "c.pem", Key: "k.pem"}
	tests := []struct {
		name string
		tls  TLS
		msg  string
		want string
	}{
		{"unknown authority", withCert,
			`failed to list workers: Unavailable: connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`,
			"TLS handshake with buildkitd at " + addr + " failed: tls: failed to verify certificate: x509: certificate signed by unknown authority (--tlscacert must be the CA that signed the daemon's certificate)"},
		{"no client certificate", TLS{CACert: "ca.pem"},
			`failed to list workers: Unavailable: connection error: desc = "error reading server preface: remote error: tls: certificate required"`,
			"TLS handshake with buildkitd at " + addr + " failed: remote error: tls: certificate required (the daemon wants a client certificate: give --tlscert and --tlskey)"},
		{"client certificate of another CA", withCert,
			`failed to list workers: Unavailable: connection error: desc = "error reading server preface: remote error: tls: certificate required"`,
			"failed: remote error: tls: certificate required (the daemon wants a client certificate signed by a CA it trusts (its --tlscacert), and --tlscert's is not)"},
		{"wrong name", withCert,
			`connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate is valid for build.internal, not 10.0.0.1"`,
			"(the daemon's certificate is for another name: set --tlsservername)"},
		{"plain TCP to TLS", TLS{},
			`failed to list workers: Unavailable: connection error: desc = "error reading server preface: EOF"`,
			`buildkitd at "` + addr + `" does not answer over plain TCP (error reading server preface: EOF): if it listens with TLS, give --tlscacert, --tlscert and --tlskey`},
		{"refused", TLS{},
			`failed to list workers: Unavailable: connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.1:1234: connect: connection refused"`,
			`buildkitd at "` + addr + `" does not answer: transport: Error while dialing: dial tcp 10.0.0.1:1234: connect: connection refused`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cause := errors.New(tc.msg)
			err := dialError(addr, tc.tls, cause)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
			if !errors.Is(err, cause) {
				t.Error("the error does not unwrap to the client's")
			}
			var te *TLSError
			if isTLS := strings.HasPrefix(tc.want, "TLS") || strings.HasPrefix(tc.want, "failed") || strings.HasPrefix(tc.want, "("); errors.As(err, &te) != isTLS {
				t.Errorf("errors.As(*TLSError) = %v, want %v", !isTLS, isTLS)
			}
		})
	}
}

func TestParseVersionLine(t *testing.T) {
	for line, want := range map[string]Version{
		"buildkitd github.com/moby/buildkit v0.33.1 0123abc\n": {Package: "github.com/moby/buildkit", Version: "v0.33.1", Revision: "0123abc"},
		"buildkitd github.com/moby/buildkit v0.0.0+unknown\n":  {Package: "github.com/moby/buildkit", Version: "v0.0.0+unknown"},
		"something else\n": {Version: "something else"},
	} {
		if got := parseVersionLine(line); got != want {
			t.Errorf("parseVersionLine(%q) = %+v, want %+v", line, got, want)
		}
	}
}

// TestTLSNeedsAnAddress checks that TLS settings for the private daemon,
// which listens on a unix socket, are refused rather than ignored.
func TestTLSNeedsAnAddress(t *testing.T) {
	_, err := resolve([]Option{WithAddr(""), WithTLS(TLS{CACert: "ca.pem"})})
	if !errors.Is(err, errNoTLSForPrivate) {
		t.Errorf("resolve gave %v, want %v", err, errNoTLSForPrivate)
	}
	if _, err := resolve([]Option{WithAddr("tcp://127.0.0.1:1234"), WithTLS(TLS{CACert: "ca.pem"})}); err != nil {
		t.Errorf("with an address: %v", err)
	}
}

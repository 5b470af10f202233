package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// Environment variables that stand in for the TLS flags when those are not
// given (buildctl reads none; these are wsbuild's).
const (
	envTLSCACert     = "WSBUILD_TLSCACERT"
	envTLSCert       = "WSBUILD_TLSCERT"
	envTLSKey        = "WSBUILD_TLSKEY"
	envTLSServerName = "WSBUILD_TLSSERVERNAME"
	envTLSDir        = "WSBUILD_TLSDIR"
)

// tlsSynopsis is the TLS flags' part of a usage line.
const tlsSynopsis = "[--tlscacert FILE] [--tlscert FILE --tlskey FILE] [--tlsservername NAME] [--tlsdir DIR]"

// daemonFlags are the flags of commands that talk to buildkitd: its address
// and, for a daemon listening with TLS, buildctl's TLS flags.
type daemonFlags struct {
	fs   *pflag.FlagSet
	addr string
	// tls holds the TLS flags as given; settings resolves them.
	tls    buildkitd.TLS
	tlsDir string
}

// tlsSetting is one TLS flag with its environment variable.
type tlsSetting struct {
	flag, env string
	value     *string
}

func (d *daemonFlags) settings() []tlsSetting {
	return []tlsSetting{
		{"tlscacert", envTLSCACert, &d.tls.CACert},
		{"tlscert", envTLSCert, &d.tls.Cert},
		{"tlskey", envTLSKey, &d.tls.Key},
		{"tlsservername", envTLSServerName, &d.tls.ServerName},
		{"tlsdir", envTLSDir, &d.tlsDir},
	}
}

func (d *daemonFlags) register(fs *pflag.FlagSet) {
	d.fs = fs
	fs.StringVar(&d.addr, "addr", "", "buildkitd address `ADDR`, any buildctl takes: unix://, tcp://, docker-container://, kube-pod://, podman-container://, ssh://... (default $BUILDKIT_HOST, else a private buildkitd)")
	fs.StringVar(&d.tls.CACert, "tlscacert", "", "PEM `FILE` of the CA that signed buildkitd's certificate (default $"+envTLSCACert+")")
	fs.StringVar(&d.tls.Cert, "tlscert", "", "PEM `FILE` of the client certificate (default $"+envTLSCert+")")
	fs.StringVar(&d.tls.Key, "tlskey", "", "PEM `FILE` of the client certificate's key (default $"+envTLSKey+")")
	fs.StringVar(&d.tls.ServerName, "tlsservername", "", "`NAME` buildkitd's certificate must carry (default $"+envTLSServerName+", else the address's host)")
	fs.StringVar(&d.tlsDir, "tlsdir", "", "`DIR` holding ca.pem, cert.pem and key.pem (or ca.crt, tls.crt and tls.key) instead of the three flags (default $"+envTLSDir+")")
}

// apply puts the daemon flags into o; the daemon's log and BuildKit's
// progress go to stderr. A TLS file that cannot be read is a usage error
// naming its flag (or environment variable) and path.
func (d *daemonFlags) apply(o *pipeline.Options, stderr io.Writer) error {
	t, err := d.resolveTLS()
	if err != nil {
		return usageError{err}
	}
	o.Addr, o.TLS, o.Log = d.addr, t, stderr
	return nil
}

// resolveTLS fills the TLS settings not given as flags from their
// environment variables and from --tlsdir, and checks the files.
func (d *daemonFlags) resolveTLS() (buildkitd.TLS, error) {
	source := map[string]string{} // flag name -> how the user gave it
	changed := func(flag string) bool { return d.fs != nil && d.fs.Changed(flag) }
	// Files named on the command line replace those of the environment as
	// a whole: --tlsdir beside $WSBUILD_TLSCACERT is no conflict.
	files := map[string]bool{"tlscacert": true, "tlscert": true, "tlskey": true, "tlsdir": true}
	filesGiven := changed("tlscacert") || changed("tlscert") || changed("tlskey") || changed("tlsdir")
	for _, s := range d.settings() {
		if changed(s.flag) {
			source[s.flag] = "--" + s.flag
		} else if filesGiven && files[s.flag] {
			continue
		} else if v := os.Getenv(s.env); v != "" {
			*s.value, source[s.flag] = v, "$"+s.env
		}
	}
	t := d.tls
	if d.tlsDir != "" {
		if t.CACert != "" || t.Cert != "" || t.Key != "" {
			return t, fmt.Errorf("%s cannot be given with --tlscacert, --tlscert or --tlskey", source["tlsdir"])
		}
		var err error
		if t, err = tlsFromDir(d.tlsDir, source["tlsdir"], t.ServerName); err != nil {
			return t, err
		}
		for _, f := range []string{"tlscacert", "tlscert", "tlskey"} {
			source[f] = fmt.Sprintf("%s %q", source["tlsdir"], d.tlsDir)
		}
	}
	if !t.Enabled() {
		if t.ServerName != "" {
			return t, fmt.Errorf("%s needs TLS: give --tlscacert, or --tlscert and --tlskey", source["tlsservername"])
		}
		return t, nil
	}
	if d.addr == "" && os.Getenv(buildkitd.EnvHost) == "" {
		return t, errors.New("the TLS flags need a buildkitd address (--addr or $BUILDKIT_HOST): the private buildkitd listens on a unix socket")
	}
	return t, checkTLSFiles(t, source)
}

// tlsFromDir finds the CA, certificate and key in dir as buildctl's
// --tlsdir does: ca.pem or ca.crt, cert.pem or tls.crt, key.pem or tls.key.
func tlsFromDir(dir, source, serverName string) (buildkitd.TLS, error) {
	t := buildkitd.TLS{ServerName: serverName}
	for _, f := range []struct {
		names [2]string
		into  *string
	}{{[2]string{"ca.pem", "ca.crt"}, &t.CACert}, {[2]string{"cert.pem", "tls.crt"}, &t.Cert}, {[2]string{"key.pem", "tls.key"}, &t.Key}} {
		for _, n := range f.names {
			if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
				*f.into = filepath.Join(dir, n)
				break
			}
		}
		if *f.into == "" {
			return t, fmt.Errorf("%s %q holds neither %s nor %s", source, dir, f.names[0], f.names[1])
		}
	}
	return t, nil
}

// checkTLSFiles reads the CA and the key pair of t, so that a missing or
// bad file is reported with the flag that named it, before any connection.
func checkTLSFiles(t buildkitd.TLS, source map[string]string) error {
	for _, f := range []struct{ flag, value string }{{"tlscacert", t.CACert}, {"tlscert", t.Cert}, {"tlskey", t.Key}} {
		// A key pasted where its path goes must not be echoed into a CI log.
		if strings.Contains(f.value, "\n") || strings.HasPrefix(strings.TrimSpace(f.value), "-----BEGIN") {
			return fmt.Errorf("%s holds PEM content, not the path of a file (its value is not shown; in GitLab CI, make it a variable of type File)", source[f.flag])
		}
	}
	if t.CACert != "" {
		pem, err := os.ReadFile(t.CACert)
		if err != nil {
			return fmt.Errorf("%s: %w", source["tlscacert"], err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: %q holds no PEM certificate", source["tlscacert"], t.CACert)
		}
	}
	switch {
	case t.Cert == "" && t.Key == "":
		return nil
	case t.Key == "":
		return fmt.Errorf("%s needs --tlskey, the key of the client certificate", source["tlscert"])
	case t.Cert == "":
		return fmt.Errorf("%s needs --tlscert, the client certificate of that key", source["tlskey"])
	}
	for _, f := range []struct{ flag, path string }{{"tlscert", t.Cert}, {"tlskey", t.Key}} {
		if _, err := os.ReadFile(f.path); err != nil {
			return fmt.Errorf("%s: %w", source[f.flag], err)
		}
	}
	if _, err := tls.LoadX509KeyPair(t.Cert, t.Key); err != nil {
		return fmt.Errorf("%s %q and %s %q: %w", source["tlscert"], t.Cert, source["tlskey"], t.Key, err)
	}
	return nil
}

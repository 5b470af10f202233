package rig

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/proc"
)

// tlsStartTimeout bounds the wait for a TLS buildkitd to answer.
const tlsStartTimeout = 60 * time.Second

// TLSBuildkitd is a buildkitd listening on TCP with mutual TLS, as a remote
// builder would: it accepts only clients whose certificate its CA signed.
type TLSBuildkitd struct {
	// Addr is "tcp://127.0.0.1:PORT".
	Addr string
	// Files are the CA, the daemon's and a client's certificates.
	Files TLSFiles
	// Log is the daemon's log file.
	Log string

	proc *proc.Process
}

// StartTLSBuildkitd generates a CA and certificates in dir/tls and starts
// r's buildkitd (with r's buildkitd.toml) on a free port of 127.0.0.1 with
// mutual TLS, its state in dir/root. It returns once the daemon answers a
// client holding Files' client certificate. Stop it with Stop.
func StartTLSBuildkitd(ctx context.Context, r *Rig, dir string) (*TLSBuildkitd, error) {
	files, err := GenerateTLS(filepath.Join(dir, "tls"))
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	b := &TLSBuildkitd{
		Addr:  "tcp://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Files: files,
		Log:   filepath.Join(dir, "buildkitd.log"),
	}
	args := []string{"--root", filepath.Join(dir, "root"), "--addr", b.Addr, "--config", r.BuildkitdConfig,
		"--tlscacert", files.CACert, "--tlscert", files.ServerCert, "--tlskey", files.ServerKey}
	if b.proc, err = proc.Start(r.Buildkitd, args, proc.WithLogFile(b.Log, false)); err != nil {
		return nil, err
	}
	err = b.proc.WaitReady(ctx, tlsStartTimeout, func(ctx context.Context) error {
		c, err := buildkitd.Dial(ctx, b.Addr, b.ClientTLS())
		if err != nil {
			return err
		}
		return c.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("starting buildkitd with TLS on %q: %w (log %s)", b.Addr, err, b.Log)
	}
	return b, nil
}

// ClientTLS is what a client needs to talk to b: the CA and the client
// certificate of Files.
func (b *TLSBuildkitd) ClientTLS() buildkitd.TLS {
	return buildkitd.TLS{CACert: b.Files.CACert, Cert: b.Files.ClientCert, Key: b.Files.ClientKey}
}

// Stop stops the daemon: SIGTERM, then SIGKILL after 10 s.
func (b *TLSBuildkitd) Stop() error {
	if err := b.proc.Stop(10 * time.Second); err != nil {
		return fmt.Errorf("stopping the TLS buildkitd on %q: %w", b.Addr, err)
	}
	return nil
}

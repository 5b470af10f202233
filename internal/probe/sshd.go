package probe

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// proveSSHD checks that sshd lets user in with the private key in keyfile
// and runs `id -u`, and then that it refuses a password.
func proveSSHD(ctx context.Context, o *options, port int, user, keyfile string) (string, error) {
	pem, err := os.ReadFile(keyfile)
	if err != nil {
		return "", fatalf("reading the key %q: %w", keyfile, err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		return "", fatalf("parsing the key %q: %w", keyfile, err)
	}
	addr := net.JoinHostPort(o.host, strconv.Itoa(port))
	var hostKey ssh.PublicKey
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		// The host key is made at container start; there is nothing to
		// compare it with, so it is only reported.
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error { hostKey = k; return nil },
	}
	var uid string
	err = withConn(ctx, addr, func(c net.Conn) error {
		sc, chans, reqs, err := ssh.NewClientConn(c, addr, cfg)
		if err != nil {
			return fmt.Errorf("public-key login as %q: %w", user, err)
		}
		client := ssh.NewClient(sc, chans, reqs)
		defer client.Close()
		sess, err := client.NewSession()
		if err != nil {
			return fmt.Errorf("opening a session as %q: %w", user, err)
		}
		defer sess.Close()
		var stderr bytes.Buffer
		sess.Stderr = &stderr
		out, err := sess.Output("id -u")
		if err != nil {
			return fmt.Errorf("running `id -u` as %q: %w (stderr %q)", user, err, stderr.String())
		}
		uid = strings.TrimSpace(string(out))
		if _, err := strconv.Atoi(uid); err != nil {
			return fatalf("`id -u` as %q printed %q, not a number", user, out)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	const password = "wsbuild-probe-any-password"
	pw := &ssh.ClientConfig{
		User: user,
		Auth: []ssh.AuthMethod{ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				answers := make([]string, len(qs))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			})},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	err = withConn(ctx, addr, func(c net.Conn) error {
		sc, chans, reqs, err := ssh.NewClientConn(c, addr, pw)
		if err == nil {
			ssh.NewClient(sc, chans, reqs).Close()
			return fatalf("password login as %q succeeded: any password is taken", user)
		}
		msg := err.Error()
		if !strings.Contains(msg, "unable to authenticate") {
			return fmt.Errorf("password login as %q: %w", user, err)
		}
		// The client tries only the methods the server offers, and the
		// error lists them: "attempted methods [none password]".
		if m := attempted(msg); strings.Contains(m, "password") || strings.Contains(m, "keyboard-interactive") {
			return fatalf("sshd offers password login to %q (methods tried: %s): the password was refused, but passwords are on", user, m)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("public-key login as %s ran `id -u` = %s, password refused; host key %s", user, uid, ssh.FingerprintSHA256(hostKey)), nil
}

// attempted extracts the list in x/crypto/ssh's "attempted methods [...]"
// error, or "" when there is none.
func attempted(msg string) string {
	_, rest, ok := strings.Cut(msg, "attempted methods [")
	if !ok {
		return ""
	}
	list, _, _ := strings.Cut(rest, "]")
	return list
}

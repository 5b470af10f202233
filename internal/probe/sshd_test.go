package probe

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// sshServer describes a fake sshd.
type sshServer struct {
	user       string
	authorized ssh.PublicKey // the key allowed in
	password   bool          // wrongly take any password
	offerPass  bool          // offer password login, refusing every password
	offerKbd   bool          // offer keyboard-interactive, refusing every answer
	idOutput   string        // what `id -u` prints
}

func (s sshServer) serve(t *testing.T) int {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostKey, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(m ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if m.User() == s.user && s.authorized != nil && bytes.Equal(k.Marshal(), s.authorized.Marshal()) {
				return nil, nil
			}
			return nil, fmt.Errorf("key refused")
		},
	}
	if s.password {
		cfg.PasswordCallback = func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) { return nil, nil }
	}
	if s.offerPass {
		cfg.PasswordCallback = func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) { return nil, fmt.Errorf("wrong") }
	}
	if s.offerKbd {
		cfg.KeyboardInteractiveCallback = func(_ ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ask("", "", []string{"Password: "}, []bool{false})
			return nil, fmt.Errorf("wrong")
		}
	}
	cfg.AddHostKey(hostKey)
	return serveTCP(t, func(c net.Conn) { s.handle(c, cfg) })
}

func (s sshServer) handle(c net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		for r := range creqs {
			if r.Type != "exec" {
				r.Reply(false, nil)
				continue
			}
			cmd := string(r.Payload[4:])
			r.Reply(true, nil)
			status := uint32(0)
			if cmd == "id -u" {
				ch.Write([]byte(s.idOutput))
			} else {
				status = 127
			}
			ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
			ch.Close()
			break
		}
	}
}

// newKey writes a key with Keygen into a temporary folder and returns the
// key file and its public key.
func newKey(t *testing.T) (string, ssh.PublicKey) {
	t.Helper()
	dir := t.TempDir()
	line, err := Keygen(dir)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatalf("Keygen's line %q: %v", line, err)
	}
	return filepath.Join(dir, KeyName), pub
}

func TestKeygen(t *testing.T) {
	file, pub := newKey(t)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", file, fi.Mode().Perm())
	}
	pem, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(pem), "-----BEGIN OPENSSH PRIVATE KEY-----") {
		t.Errorf("%s is not an OpenSSH private key: %.40q", file, pem)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(signer.PublicKey().Marshal(), pub.Marshal()) || pub.Type() != ssh.KeyAlgoED25519 {
		t.Errorf("the authorized_keys line is not the private key's public half")
	}
	if _, err := Keygen(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "writing the private key") {
		t.Errorf("Keygen into a missing folder: %v", err)
	}
}

func TestSSHD(t *testing.T) {
	key, pub := newKey(t)
	_, otherPub := newKey(t)
	for _, tc := range []struct {
		name   string
		server sshServer
		user   string
		key    string
		ok     bool
		want   string
	}{
		{"key in, password refused", sshServer{user: "user", authorized: pub, idOutput: "1000\n"}, "user", key, true,
			"public-key login as user ran `id -u` = 1000, password refused; host key SHA256:"},
		{"password taken", sshServer{user: "user", authorized: pub, password: true, idOutput: "1000\n"}, "user", key, false,
			`password login as "user" succeeded`},
		{"passwords on, this one refused", sshServer{user: "user", authorized: pub, offerPass: true, idOutput: "1000\n"}, "user", key, false,
			`sshd offers password login to "user" (methods tried: none password)`},
		{"keyboard-interactive on", sshServer{user: "user", authorized: pub, offerKbd: true, idOutput: "1000\n"}, "user", key, false,
			`sshd offers password login to "user" (methods tried: none keyboard-interactive)`},
		{"key refused", sshServer{user: "user", authorized: otherPub, idOutput: "1000\n"}, "user", key, false,
			`not ready after 1s: public-key login as "user": ssh: handshake failed: ssh: unable to authenticate`},
		{"other user", sshServer{user: "user", authorized: pub, idOutput: "1000\n"}, "root", key, false, `public-key login as "root"`},
		{"id -u prints junk", sshServer{user: "user", authorized: pub, idOutput: "sh: id: not found\n"}, "user", key, false, "printed \"sh: id: not found\\n\", not a number"},
		{"no key file", sshServer{user: "user", authorized: pub}, "user", key + ".missing", false, "reading the key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := tc.server.serve(t)
			r := runOne(t, fmt.Sprintf("sshd:%d:%s:%s", port, tc.user, tc.key), fast(time.Second)...)
			checkResult(t, r, tc.ok, tc.want)
		})
	}
}

func TestSSHDNotListening(t *testing.T) {
	key, _ := newKey(t)
	r := runOne(t, "sshd:"+strconv.Itoa(freePort(t))+":user:"+key, fast(300*time.Millisecond)...)
	checkResult(t, r, false, "connection refused")
}

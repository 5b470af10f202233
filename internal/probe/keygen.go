package probe

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
)

// KeyName is the file Keygen writes the private key to.
const KeyName = "id_ed25519"

// Keygen writes a new ed25519 private key in OpenSSH format to
// dir/id_ed25519 (mode 0600) and returns its authorized_keys line, without
// a trailing newline.
func Keygen(dir string) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generating an ed25519 key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "wsbuild-probe")
	if err != nil {
		return "", fmt.Errorf("encoding the private key: %w", err)
	}
	path := filepath.Join(dir, KeyName)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return "", fmt.Errorf("writing the private key to %q: %w", path, err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encoding the public key: %w", err)
	}
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(sshPub)), "\n") + " wsbuild-probe", nil
}

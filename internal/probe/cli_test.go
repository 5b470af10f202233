package probe

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestMain_(t *testing.T) {
	srv := httptest.NewServer(jupyterHandler(jupyterServer{token: "tok", kernels: []string{"python3"}}))
	defer srv.Close()
	jup := "jupyter:" + strconv.Itoa(portOf(t, srv.Listener.Addr().String()))
	down := "jupyter:" + strconv.Itoa(freePort(t))
	env := func(k string) string {
		return map[string]string{"JUPYTER_TOKEN": "tok", "VNC_PASSWORD": "pw"}[k]
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // lines of stdout, in order
		stderr string
	}{
		{"ok", []string{"--timeout", "2s", jup + ":python3"}, 0, []string{"ok " + jup + ":python3: "}, ""},
		{"one fails", []string{"--timeout=500ms", down, jup}, 1,
			[]string{"FAIL " + down + ": not ready after", "ok " + jup + ": ", "wsbuild-probe: 1 of 2 failed: " + down}, ""},
		{"kernel missing", []string{"--timeout=300ms", jup + ":ir"}, 1, []string{"FAIL " + jup + ":ir: kernels ir not offered (offered: python3)", "1 of 1 failed"}, ""},
		{"no services", nil, 2, nil, "no service to prove"},
		{"bad service", []string{"web:80"}, 2, nil, `service "web:80": unknown kind "web"`},
		{"bad timeout", []string{"--timeout", "soon", jup}, 2, nil, `invalid value "soon"`},
		{"bad flag", []string{"--verbose", jup}, 2, nil, "flag provided but not defined: -verbose"},
		{"keygen without dir", []string{"keygen"}, 2, nil, "keygen takes one DIR"},
		{"keygen into nowhere", []string{"keygen", "/nonexistent/dir"}, 1, nil, `writing the private key to "/nonexistent/dir/id_ed25519"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), tc.args, env, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stdout %q stderr %q", code, tc.code, out.String(), errb.String())
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(tc.stdout) == 0 && out.Len() != 0 {
				t.Errorf("stdout %q, want none", out.String())
			}
			if len(tc.stdout) > 0 && len(lines) != len(tc.stdout) {
				t.Errorf("stdout %q, want %d lines", out.String(), len(tc.stdout))
			}
			for i, w := range tc.stdout {
				if i < len(lines) && !strings.Contains(lines[i], w) {
					t.Errorf("stdout line %d %q, want %q in it", i, lines[i], w)
				}
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q, want %q in it", errb.String(), tc.stderr)
			}
		})
	}
}

func TestMainKeygen(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"keygen", dir}, os.Getenv, &out, &errb); code != 0 {
		t.Fatalf("keygen exit %d: %s", code, errb.String())
	}
	if strings.Count(out.String(), "\n") != 1 || !strings.HasPrefix(out.String(), "ssh-ed25519 ") {
		t.Fatalf("keygen printed %q, want one authorized_keys line", out.String())
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil || !bytes.Equal(signer.PublicKey().Marshal(), pub.Marshal()) {
		t.Fatalf("the printed key is not the written key's public half (%v)", err)
	}
}

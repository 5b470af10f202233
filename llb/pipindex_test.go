package llb

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

// TestPipIndexSecret proves an image's own pip step with pip_index: mounts
// the secret by id as an environment variable, sees the index's URL and
// user; the steps: entry that asks for a secret gets it as a file under
// /run/secrets readable by the user; and no other step mounts any secret.
func TestPipIndexSecret(t *testing.T) {
	img := compileFile(t, "pip-index.yaml")[0]
	def, err := img.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var withSecret, withSecretFile []string
	for _, raw := range def.Def {
		var op pb.Op
		if err := op.Unmarshal(raw); err != nil {
			t.Fatal(err)
		}
		exec := op.GetExec()
		if exec == nil {
			continue
		}
		name := def.Metadata[digestFrom(digestOf(raw))].Description["llb.customname"]
		for _, m := range exec.Mounts {
			if m.MountType != pb.MountType_SECRET {
				continue
			}
			withSecretFile = append(withSecretFile, name)
			if so := m.SecretOpt; m.Dest != "/run/secrets/netrc" || so.ID != "netrc" || so.Uid != 1000 || so.Mode != 0o400 {
				t.Errorf("%s: secret mount at %s %+v, want netrc at /run/secrets/netrc for uid 1000, mode 0400", name, m.Dest, so)
			}
		}
		if len(exec.Secretenv) == 0 {
			continue
		}
		withSecret = append(withSecret, name)
		se := exec.Secretenv[0]
		if se.ID != "pypi" || se.Name != pipSecretEnv {
			t.Errorf("%s: secret env %+v, want id pypi as %s", name, se, pipSecretEnv)
		}
		env := strings.Join(exec.Meta.Env, " ")
		if !strings.Contains(env, "WSBUILD_PIP_INDEX=https://pypi.example.org/simple") || !strings.Contains(env, "WSBUILD_PIP_USER=ci") {
			t.Errorf("%s: env %s lacks the index and user", name, env)
		}
		if !strings.Contains(strings.Join(exec.Meta.Args, " "), "export PIP_INDEX_URL") {
			t.Errorf("%s: pip is not pointed at the index: %q", name, exec.Meta.Args)
		}
	}
	if len(withSecret) != 1 || withSecret[0] != "[app] pip install private-pkg from https://pypi.example.org/simple" {
		t.Errorf("steps mounting a secret: %q, want only the image's own pip step", withSecret)
	}
	if len(withSecretFile) != 1 || withSecretFile[0] != "[app] step: private data" {
		t.Errorf("steps mounting a secret file: %q, want only the step that asks for one", withSecretFile)
	}
}

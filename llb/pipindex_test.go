package llb

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

// TestPipIndexSecret proves an image's own pip step with pip_index: mounts
// the secret by id as an environment variable, sees the index's URL and
// user, and that no other step mounts any secret.
func TestPipIndexSecret(t *testing.T) {
	img := compileFile(t, "pip-index.yaml")[0]
	def, err := img.Definition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var withSecret []string
	for _, raw := range def.Def {
		var op pb.Op
		if err := op.Unmarshal(raw); err != nil {
			t.Fatal(err)
		}
		exec := op.GetExec()
		if exec == nil || len(exec.Secretenv) == 0 {
			continue
		}
		name := def.Metadata[digestFrom(digestOf(raw))].Description["llb.customname"]
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
}

package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/rig"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// Team specs for TestNamespacedRegistry: team-b publishes a public image,
// team-a builds on it.
const (
	teamBSpec = `images:
  shared:
    base: debian:bookworm
    env: {TEAM: b}
    tag: "1"
push:
  - {registry: %s, namespace: team-b, insecure: true}
`
	teamASpec = `images:
  tool:
    base: %s/team-b/shared:1
    env: {TEAM: a}
    tag: "1"
push:
  - {registry: %s, namespace: team-a, insecure: true}
`
)

// TestNamespacedRegistry runs wsbuild against a real registry with token
// authentication whose issuer grants each user its own namespace: team-b
// publishes an image with CI credentials from the environment; team-a
// pushing into team-b's namespace is refused before anything is built or
// sent, with the registry's own message and the credentials named; team-a
// builds on team-b's public image (buildkitd pulls it with the credentials
// wsbuild pushes with) with CI credentials from stdin, then from the
// Docker config; and no password appears in any output, metadata file,
// pushed config or layer.
func TestNamespacedRegistry(t *testing.T) {
	testenv.NeedsRealRig(t)
	r := rig.ForTest(t)
	useRig(t, r)
	const aSecret, bSecret = "a-secret-3f9d1c", "b-secret-77e0aa"
	tr := rig.TokenRegistryForTest(t, map[string]string{"team-a": aSecret, "team-b": bSecret})
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", filepath.Join(dir, "docker")) // no credentials but the test's
	t.Setenv("TEAM_B_TOKEN", bSecret)
	var outputs bytes.Buffer // everything wsbuild printed
	build := func(stdin string, args ...string) (int, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		old := setStdin(strings.NewReader(stdin))
		defer setStdin(old)
		code := run(t.Context(), args, &stdout, &stderr)
		outputs.Write(stdout.Bytes())
		outputs.Write(stderr.Bytes())
		return code, stderr.String()
	}

	specB := filepath.Join(dir, "team-b.yaml")
	write(t, specB, fmt.Sprintf(teamBSpec, tr.Registry))
	metaB := filepath.Join(dir, "team-b.json")
	if code, stderr := build("", "build", "-f", specB, "--push", "--progress", "plain", "--metadata-file", metaB,
		"--registry-user", "team-b", "--registry-password-env", "TEAM_B_TOKEN"); code != 0 {
		t.Fatalf("team-b's build exited %d:\n%s", code, lastLines(stderr, 30))
	}

	// team-a into team-b's namespace: refused before anything is built.
	specA := filepath.Join(dir, "team-a.yaml")
	write(t, specA, fmt.Sprintf(teamASpec, tr.Registry, tr.Registry))
	code, stderr := build(aSecret+"\n", "build", "-f", specA, "--push", "--progress", "plain", "--namespace", "team-b",
		"--registry-user", "team-a", "--registry-password-stdin")
	if code != 1 {
		t.Fatalf("team-a pushing into team-b exited %d, want 1:\n%s", code, lastLines(stderr, 30))
	}
	for _, want := range []string{"nothing built", `pushing to "` + tr.Registry + `/team-b/tool:1"`, "401 Unauthorized",
		"UNAUTHORIZED: authentication required (needs repository:team-b/tool:pull,push)", `credentials sent: user "team-a" from --registry-user (password from stdin)`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, lastLines(stderr, 10))
		}
	}
	t.Logf("the refusal:\n%s", lastLines(stderr, 3))
	if strings.Contains(stderr, "[tool]") {
		t.Errorf("a step of tool ran although the push was refused:\n%s", lastLines(stderr, 20))
	}
	if _, err := remote.Head(ref(t, tr.Registry+"/team-b/tool:1")); err == nil {
		t.Errorf("team-b/tool:1 exists after the refused run")
	}

	// team-a in its own namespace, on team-b's image.
	metaA := filepath.Join(dir, "team-a.json")
	if code, stderr := build(aSecret+"\n", "build", "-f", specA, "--push", "--progress", "plain", "--metadata-file", metaA,
		"--registry-user", "team-a", "--registry-password-stdin"); code != 0 {
		t.Fatalf("team-a's build exited %d:\n%s", code, lastLines(stderr, 30))
	}
	var teamAPulledBase bool
	for _, req := range tr.Issuer.Requests() {
		if req.Refused {
			t.Errorf("the issuer refused credentials of %q: a run sent a wrong password", req.User)
		}
		if req.User == "team-a" && strings.Contains(strings.Join(req.Scopes, " "), "repository:team-b/shared:pull") {
			teamAPulledBase = true
		}
	}
	if !teamAPulledBase {
		t.Errorf("no token for team-a to pull team-b/shared: the base was not pulled with the run's credentials")
	}

	// The Docker config's credentials, into a sub-namespace of team-a's.
	auth := base64.StdEncoding.EncodeToString([]byte("team-a:" + aSecret))
	if err := os.MkdirAll(filepath.Join(dir, "docker"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "docker", "config.json"), `{"auths": {"`+tr.Registry+`": {"auth": "`+auth+`"}}}`)
	if code, stderr := build("", "build", "-f", specA, "--push", "--progress", "plain", "--namespace", "team-a/staging"); code != 0 {
		t.Fatalf("team-a's build with the Docker config's credentials exited %d:\n%s", code, lastLines(stderr, 30))
	}

	images := map[string]v1.Image{}
	for _, s := range []string{"team-b/shared:1", "team-a/tool:1", "team-a/staging/tool:1"} {
		images[s] = pull(t, tr.Registry+"/"+s)
	}
	if env := configEnv(t, images["team-a/tool:1"]); !strings.Contains(env, "TEAM=a") {
		t.Errorf("team-a/tool:1 has env %s, want TEAM=a", env)
	}

	// No secret anywhere.
	for _, f := range []string{metaA, metaB} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs.Write(b)
	}
	for _, secret := range []string{aSecret, bSecret, base64.StdEncoding.EncodeToString([]byte(aSecret))} {
		if bytes.Contains(outputs.Bytes(), []byte(secret)) {
			t.Errorf("a password is in wsbuild's output or metadata file")
		}
		for s, img := range images {
			if imageContains(t, img, []byte(secret)) {
				t.Errorf("%s holds a password in its config or a layer", s)
			}
		}
	}
}

func ref(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// setStdin points --registry-password-stdin at r and returns what it was.
func setStdin(r io.Reader) io.Reader {
	old := stdin
	stdin = r
	return old
}

// configEnv returns img's config's environment, one string.
func configEnv(t *testing.T, img v1.Image) string {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(cf.Config.Env, " ")
}

// imageContains reports whether img's manifest, config or any layer's
// uncompressed bytes hold b.
func imageContains(t *testing.T, img v1.Image, b []byte) bool {
	t.Helper()
	m, err := img.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(m, b) || bytes.Contains(cfg, b) {
		return true
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

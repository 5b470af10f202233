package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/wsbuild/wsbuild/internal/attest"
	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/provenance"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// attestSpec is a two-image family: Python with a package pip installs
// from the test's index into the venv, and a child with a Debian package.
const attestSpec = `images:
  py:
    base: debian:bookworm
    python: "3.11"
    pip: [wsdemo]
    env: {PIP_INDEX_URL: "%s"}
  py-tools:
    from: py
    apt: [tree]
push:
  - {registry: %s, namespace: attest, insecure: true}
`

// TestAttestations builds and pushes a family and reads back, for each
// image, the index its tag holds: the image and an attestation manifest
// whose SPDX SBOM lists what the image holds (python3 from Debian, wsdemo
// from the venv, the base and the parent as components) and whose SLSA
// provenance carries the input digest, the base and the parent by digest,
// both about the pushed image. buildx's imagetools reads both; wsbuild
// verify passes, and fails naming the input on an edited spec; a skipped
// image keeps its SBOM; --sbom=false leaves it out.
func TestAttestations(t *testing.T) {
	r := rig.ForTest(t)
	t.Setenv(buildkitd.EnvBinary, r.Buildkitd)
	t.Setenv(buildkitd.EnvConfig, r.BuildkitdConfig)
	t.Setenv(buildkitd.EnvHost, "")
	t.Setenv("WSBUILD_CACHE_DIR", t.TempDir())
	dir := t.TempDir()
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(attestSpec, servePackageIndex(t, "wsdemo"), r.Registry))
	ref := func(name string) string { return r.Registry + "/attest/" + name + ":latest" }
	meta := filepath.Join(t.TempDir(), "meta.json")
	if code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--progress", "plain", "--metadata-file", meta); code != 0 {
		t.Fatalf("build exited %d:\n%s", code, lastLines(stderr, 40))
	}
	m := readMetadata(t, meta)
	base := headDigest(t, rig.BaseRef(r.Registry))

	for _, name := range []string{"py", "py-tools"} {
		st := attested(t, ref(name), m[name])
		sbom := spdxPackages(t, st[attest.PredicateSPDX])
		for _, want := range []string{"pkg:deb/debian/python3@", "pkg:pypi/wsdemo@1.0", "pkg:oci/debian@" + base.String()} {
			if !slices.ContainsFunc(sbom, func(p string) bool { return strings.HasPrefix(p, want) }) {
				t.Errorf("%s: the SBOM lists no package %s…; it has %d: %v", name, want, len(sbom), firstN(sbom, 8))
			}
		}
		b, err := provenance.Parse(st[attest.PredicateSLSA1].Predicate)
		if err != nil {
			t.Fatal(err)
		}
		if b.Image != name || string(b.InputDigest) != m[name]["inputDigest"] || b.Base.Digest.String() != base.String() ||
			b.Builder != "private" || b.BuildKit == "" || b.Finished.Before(b.Started) || b.SpecDigest == "" {
			t.Errorf("%s: provenance %+v", name, b)
		}
		if name == "py-tools" {
			if b.Parent == nil || b.Parent.Digest.String() != m["py"]["imageDigest"] || b.Parent.Ref != ref("py") {
				t.Errorf("py-tools: provenance parent %+v, want %s@%v", b.Parent, ref("py"), m["py"]["imageDigest"])
			}
			if !slices.ContainsFunc(sbom, func(p string) bool { return strings.HasPrefix(p, "pkg:deb/debian/tree@") }) {
				t.Errorf("py-tools: the SBOM does not list tree")
			}
		}
	}

	t.Run("buildx imagetools reads the SBOM and the provenance", func(t *testing.T) {
		bx := rig.BuildxBinaryForTest(t)
		for format, want := range map[string]string{"{{json .SBOM}}": `"SPDX-2.3"`, "{{json .Provenance}}": provenance.BuildType} {
			cmd := exec.CommandContext(t.Context(), bx, "imagetools", "inspect", ref("py-tools"), "--format", format)
			cmd.Env = append(os.Environ(), "BUILDX_CONFIG="+t.TempDir(), "DOCKER_CONFIG="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), want) {
				t.Errorf("buildx imagetools inspect --format %q: %v, want %s in:\n%.600s", format, err, want, out)
			}
		}
	})

	t.Run("verify passes on the pushed images and fails on an edited spec", func(t *testing.T) {
		code, stdout, stderr := wsbuildOut(t, "verify", "-f", specPath, ref("py-tools"))
		if code != 0 || !strings.Contains(stdout, "verified "+ref("py-tools")) {
			t.Fatalf("verify exited %d:\n%s%s", code, stdout, stderr)
		}
		code, _, stderr = wsbuildOut(t, "verify", "-f", specPath, "--set", "py-tools.apt=[tree, jq]", ref("py-tools"))
		if code != 1 || !strings.Contains(stderr, "does not verify") || !strings.Contains(stderr, "inputs that differ: apt") {
			t.Errorf("verify against an edited spec exited %d, want 1 naming apt:\n%s", code, stderr)
		}
	})

	t.Run("a skipped image keeps its SBOM; --sbom=false leaves it out", func(t *testing.T) {
		before := headDigest(t, ref("py"))
		meta2 := filepath.Join(t.TempDir(), "meta.json")
		code, stderr := wsbuild(t, "build", "-f", specPath, "--push", "--progress", "plain", "--sbom=false",
			"--set", "py-tools.env.REV=2", "--metadata-file", meta2)
		if code != 0 {
			t.Fatalf("build exited %d:\n%s", code, lastLines(stderr, 40))
		}
		m2 := readMetadata(t, meta2)
		if m2["py"]["action"] != "skip" || headDigest(t, ref("py")) != before {
			t.Errorf("py was not skipped with its index kept: %v", m2["py"])
		}
		if st := attested(t, ref("py-tools"), m2["py-tools"]); st[attest.PredicateSPDX] != nil || st[attest.PredicateSLSA1] == nil {
			t.Errorf("--sbom=false: py-tools has predicates %v, want the provenance only", slices.Collect(maps.Keys(st)))
		}
		code, _, stderr = wsbuildOut(t, "verify", "-f", specPath, "--set", "py-tools.env.REV=2", ref("py-tools"))
		if code != 1 || !strings.Contains(stderr, "no SBOM") {
			t.Errorf("verify of an image without SBOM exited %d:\n%s", code, stderr)
		}
		// Built from the edited spec, checked against the spec as written.
		code, _, stderr = wsbuildOut(t, "verify", "-f", specPath, ref("py-tools"))
		if code != 1 || !strings.Contains(stderr, "inputs that differ: env") {
			t.Errorf("verify of an image built from an edited spec exited %d, want 1 naming env:\n%s", code, stderr)
		}
	})
}

// attested reads the index ref holds, checks it is the one meta says was
// pushed, and returns its statements by predicate type, each about the
// image meta names.
func attested(t *testing.T, tag string, meta map[string]any) map[string]*attest.Statement {
	t.Helper()
	if d := headDigest(t, tag); d.String() != meta["digest"] {
		t.Fatalf("%s holds %s, the metadata says %v", tag, d, meta["digest"])
	}
	sts, img := statementsOf(t, tag)
	if img.String() != meta["imageDigest"] {
		t.Fatalf("%s: image %s; the metadata says image %v", tag, img, meta["imageDigest"])
	}
	out := map[string]*attest.Statement{}
	for i := range sts {
		if !sts[i].About(img) {
			t.Errorf("%s: the %s statement is about %v, not the image %s", tag, sts[i].PredicateType, sts[i].Subject, img)
		}
		out[sts[i].PredicateType] = &sts[i]
	}
	return out
}

// statementsOf reads the index tag holds and returns the statements of
// its attestation manifest about its linux/amd64 image, and that image's
// digest.
func statementsOf(t *testing.T, tag string) ([]attest.Statement, v1.Hash) {
	t.Helper()
	attImg, img := attestationManifest(t, tag)
	sts, err := attest.Statements(attImg)
	if err != nil {
		t.Fatal(err)
	}
	return sts, img
}

// attestationManifest reads the index tag holds and returns the
// attestation manifest about its linux/amd64 image, and that image's
// digest.
func attestationManifest(t *testing.T, tag string) (v1.Image, v1.Hash) {
	t.Helper()
	idx, err := remote.Index(ref(t, tag))
	if err != nil {
		t.Fatalf("%s: %v", tag, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, att, err := attest.Select(im, v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil || att == nil {
		t.Fatalf("%s: image %s, attestation %v, %v", tag, img.Digest, att, err)
	}
	attImg, err := idx.Image(att.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return attImg, img.Digest
}

// spdxPackages lists the purls of an SPDX statement's packages.
func spdxPackages(t *testing.T, st *attest.Statement) []string {
	t.Helper()
	if st == nil {
		t.Fatal("no SBOM statement")
	}
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			ExternalRefs []struct {
				Type    string `json:"referenceType"`
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(st.Predicate, &doc); err != nil || doc.SPDXVersion != "SPDX-2.3" {
		t.Fatalf("the SBOM is not SPDX 2.3: %v", err)
	}
	var out []string
	for _, p := range doc.Packages {
		for _, r := range p.ExternalRefs {
			if r.Type == "purl" {
				out = append(out, r.Locator)
			}
		}
	}
	return out
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

// attestationBlobs counts the blobs of the attestation manifest in the
// index tag holds: its config and its statements.
func attestationBlobs(t *testing.T, tag string) int {
	t.Helper()
	img, _ := attestationManifest(t, tag)
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return 1 + len(m.Layers)
}

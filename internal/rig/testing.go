package rig

import (
	"io"
	"testing"

	"github.com/wsbuild/wsbuild/internal/buildkitd"
	"github.com/wsbuild/wsbuild/internal/testenv"
)

// ForTest starts a rig in t.TempDir() and closes it when the test ends. The
// test is left out only where testenv allows (under -short, outside CI);
// everywhere else a rig that cannot start fails it.
func ForTest(t testing.TB) *Rig {
	t.Helper()
	testenv.NeedsRealRig(t)
	r, err := Start(t.Context(), WithDir(t.TempDir()))
	if err != nil {
		t.Fatalf("starting the test rig: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("closing the test rig: %v", err)
		}
	})
	return r
}

// BuildkitdForTest starts a private buildkitd for r (its binary and
// buildkitd.toml, state in t.TempDir()) and stops it when the test ends.
func BuildkitdForTest(t testing.TB, r *Rig) *buildkitd.Conn {
	t.Helper()
	conn, err := buildkitd.Connect(t.Context(), buildkitd.WithAddr(""), buildkitd.WithBinary(r.Buildkitd),
		buildkitd.WithConfig(r.BuildkitdConfig), buildkitd.WithStateDir(t.TempDir()), buildkitd.WithLog(io.Discard))
	if err != nil {
		t.Fatalf("starting buildkitd for the test rig: %v", err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("stopping the test's buildkitd: %v", err)
		}
	})
	return conn
}

// BuildctlForTest returns the rig's buildctl (see Buildctl). The test is left
// out only where testenv allows; elsewhere a missing buildctl fails it.
func BuildctlForTest(t testing.TB) string {
	t.Helper()
	testenv.NeedsRealRig(t)
	bin, err := Buildctl(CacheDir())
	if err != nil {
		t.Fatalf("finding buildctl: %v", err)
	}
	return bin
}

// BuildxForTest makes a buildx remote-driver builder named "wsbuild-test" on
// the buildkitd at addr, its configuration in t.TempDir(). The test is left
// out only where testenv allows; elsewhere a missing buildx fails it.
func BuildxForTest(t testing.TB, addr string) *Buildx {
	t.Helper()
	testenv.NeedsRealRig(t)
	bin, err := BuildxBinary(CacheDir())
	if err != nil {
		t.Fatalf("finding buildx: %v", err)
	}
	b, err := NewBuildx(t.Context(), bin, "wsbuild-test", addr, t.TempDir())
	if err != nil {
		t.Fatalf("making the buildx builder: %v", err)
	}
	return b
}

// TLSBuildkitdForTest starts a second buildkitd for r listening on
// tcp://127.0.0.1:PORT with mutual TLS (see StartTLSBuildkitd), its files in
// t.TempDir(), and stops it when the test ends.
func TLSBuildkitdForTest(t testing.TB, r *Rig) *TLSBuildkitd {
	t.Helper()
	b, err := StartTLSBuildkitd(t.Context(), r, t.TempDir())
	if err != nil {
		t.Fatalf("starting the TLS buildkitd: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Stop(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return b
}

// TokenRegistryForTest starts a TokenRegistry for users in t.TempDir() and
// stops it when the test ends.
func TokenRegistryForTest(t testing.TB, users map[string]string) *TokenRegistry {
	t.Helper()
	testenv.NeedsRealRig(t)
	r, err := StartTokenRegistry(t.Context(), t.TempDir(), users)
	if err != nil {
		t.Fatalf("starting the token-auth registry: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("stopping the token-auth registry: %v", err)
		}
	})
	return r
}

// RegistryForTest starts a Registry in t.TempDir() and stops it when the
// test ends.
func RegistryForTest(t testing.TB) *Registry {
	t.Helper()
	testenv.NeedsRealRig(t)
	r, err := StartRegistry(t.Context(), t.TempDir())
	if err != nil {
		t.Fatalf("starting a registry: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("stopping the registry: %v", err)
		}
	})
	return r
}

// BuildxBinaryForTest returns the rig's buildx binary, for commands that
// need no builder (imagetools). The test is left out only where testenv
// allows; elsewhere a missing buildx fails it.
func BuildxBinaryForTest(t testing.TB) string {
	t.Helper()
	testenv.NeedsRealRig(t)
	bin, err := BuildxBinary(CacheDir())
	if err != nil {
		t.Fatalf("finding buildx: %v", err)
	}
	return bin
}

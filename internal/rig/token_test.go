package rig

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// TestTokenRegistryScopes proves the token-auth registry enforces what its
// issuer grants: a user pushes under its own namespace only, anyone pulls,
// and a wrong password is refused by the issuer.
func TestTokenRegistryScopes(t *testing.T) {
	tr := TokenRegistryForTest(t, map[string]string{"team-a": "a-secret", "team-b": "b-secret"})
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(s string) name.Reference {
		r, err := name.ParseReference(tr.Registry+"/"+s, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	teamA := remote.WithAuth(&authn.Basic{Username: "team-a", Password: "a-secret"})
	if err := remote.Write(ref("team-a/app:1"), img, teamA, remote.WithContext(t.Context())); err != nil {
		t.Fatalf("team-a pushing to its own namespace: %v", err)
	}
	status := func(err error) int {
		var te *transport.Error
		if errors.As(err, &te) {
			return te.StatusCode
		}
		return 0
	}
	err = remote.Write(ref("team-b/app:1"), img, teamA, remote.WithContext(t.Context()))
	if s := status(err); s != http.StatusUnauthorized && s != http.StatusForbidden {
		t.Errorf("team-a pushing to team-b: err = %v, want 401 or 403", err)
	}
	if _, err := remote.Head(ref("team-a/app:1"), remote.WithContext(t.Context())); err != nil {
		t.Errorf("anonymous pull of team-a's public image: %v", err)
	}
	wrong := remote.WithAuth(&authn.Basic{Username: "team-a", Password: "wrong"})
	if _, err := remote.Head(ref("team-a/app:1"), wrong, remote.WithContext(t.Context())); status(err) != http.StatusUnauthorized {
		t.Errorf("wrong password: err = %v, want 401", err)
	}
}

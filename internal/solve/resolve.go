package solve

import (
	"context"
	"fmt"
	"sync"

	"github.com/distribution/reference"
	"github.com/docker/cli/cli/config/types"
	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/internal/creds"
	"github.com/wsbuild/wsbuild/internal/oci"
	wsllb "github.com/wsbuild/wsbuild/llb"
	"golang.org/x/sync/errgroup"
)

// ResolveBases looks up every external base reference through buildkitd, so
// its registry mirrors and credentials apply exactly as they do when the
// base is pulled. Each base comes back pinned by digest with its config.
func (s *Solver) ResolveBases(ctx context.Context, refs []string, platform ocispec.Platform) (map[string]wsllb.Base, error) {
	bases := map[string]wsllb.Base{}
	if len(refs) == 0 {
		return bases, nil
	}
	var mu sync.Mutex
	opt := bkclient.SolveOpt{Session: []session.Attachable{authProvider(s.opts.creds)}}
	_, err := s.c.Build(ctx, opt, "wsbuild", func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		eg, ctx := errgroup.WithContext(ctx)
		for _, ref := range refs {
			eg.Go(func() error {
				base, err := resolveOne(ctx, c, ref, platform)
				if err != nil {
					return err
				}
				mu.Lock()
				bases[ref] = base
				mu.Unlock()
				return nil
			})
		}
		if err := eg.Wait(); err != nil {
			return nil, err
		}
		return gateway.NewResult(), nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("resolving base images %q: %w", refs, err)
	}
	return bases, nil
}

func resolveOne(ctx context.Context, c gateway.Client, ref string, platform ocispec.Platform) (wsllb.Base, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return wsllb.Base{}, &oci.BaseError{Ref: ref, Err: fmt.Errorf("parsing: %w", err)}
	}
	named = reference.TagNameOnly(named)
	_, dgst, cfg, err := c.ResolveImageConfig(ctx, named.String(), sourceresolver.Opt{
		LogName:  "resolve base " + ref,
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &platform, ResolveMode: "default"},
	})
	if err != nil {
		return wsllb.Base{}, &oci.BaseError{Ref: ref, Err: err}
	}
	pinned := named.String()
	if _, ok := named.(reference.Canonical); !ok {
		withDigest, err := reference.WithDigest(named, dgst)
		if err != nil {
			return wsllb.Base{}, fmt.Errorf("pinning base image %q: %w", ref, err)
		}
		pinned = withDigest.String()
	}
	return wsllb.Base{Ref: pinned, Digest: dgst, Config: cfg}, nil
}

// authProvider hands buildkitd the run's registry credentials (see
// package creds), so private bases resolve and pull with the credentials
// wsbuild pushes with. A new one per session: it caches tokens per session.
func authProvider(store *creds.Store) session.Attachable {
	return authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: func(_ context.Context, host string, _ []string, _ authprovider.ExpireCachedAuthCheck) (types.AuthConfig, error) {
			c, err := store.Lookup(host)
			return c.Auth, err
		},
	})
}

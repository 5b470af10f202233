package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/wsbuild/wsbuild/internal/oci"
)

// CheckPush asks every repository of refs whether the credentials may push
// to it, by starting a blob upload and cancelling it, before anything is
// built or sent: a namespace the credentials do not reach fails the run at
// once, with an *AuthError naming the reference and the credentials.
func (p *Publisher) CheckPush(ctx context.Context, refs []oci.Ref) error {
	seen := map[string]bool{}
	var errs []error
	for _, r := range refs {
		if seen[r.Repository] {
			continue
		}
		seen[r.Repository] = true
		tag, err := parseTag(r)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.checkPush(ctx, tag.Context()); err != nil {
			errs = append(errs, p.explain(err, "pushing to", tag))
		}
	}
	return errors.Join(errs...)
}

// checkPush asks repo for a push token and starts a blob upload there,
// which it cancels at once (go-containerregistry's CheckPushPermission, but
// bound to ctx and cancelling before it returns): a registry may grant a
// token without the push scope and refuse only the upload.
func (p *Publisher) checkPush(ctx context.Context, repo name.Repository) error {
	auth, err := authn.Resolve(ctx, p.opts.keychain, repo)
	if err != nil {
		return fmt.Errorf("finding the credentials for %s: %w", repo, err)
	}
	rt, err := transport.NewWithContext(ctx, repo.Registry, auth, p.opts.transport, []string{repo.Scope(transport.PushScope)})
	if err != nil {
		return err
	}
	client := &http.Client{Transport: rt}
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/blobs/uploads/"}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusAccepted, http.StatusCreated); err != nil {
		return err
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		if l, err := u.Parse(loc); err == nil {
			if del, err := http.NewRequestWithContext(ctx, http.MethodDelete, l.String(), nil); err == nil {
				if resp, err := client.Do(del); err == nil {
					resp.Body.Close()
				}
			}
		}
	}
	return nil
}

// explain returns a registry's refusal of action on ref as an *AuthError
// (see authError), and any other error with the action and the reference.
func (p *Publisher) explain(err error, action string, ref name.Reference) error {
	if e := authError(err, action, ref.String(), ref.Context().RegistryStr(), p.opts.keychain); e != nil {
		return e
	}
	return fmt.Errorf("%s %q: %w", action, ref.String(), err)
}

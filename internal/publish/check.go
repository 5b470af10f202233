package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
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
		if err := remote.CheckPushPermission(tag, p.opts.keychain, p.opts.transport); err != nil {
			errs = append(errs, p.explain(err, "pushing to", tag))
		}
	}
	return errors.Join(errs...)
}

// explain returns a registry's refusal of action on ref as an *AuthError
// (see authError), and any other error with the action and the reference.
func (p *Publisher) explain(err error, action string, ref name.Reference) error {
	if e := authError(err, action, ref.String(), ref.Context().RegistryStr(), p.opts.keychain); e != nil {
		return e
	}
	return fmt.Errorf("%s %q: %w", action, ref.String(), err)
}

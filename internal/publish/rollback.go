package publish

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// tagsBefore reads what every tag of pushed holds before Tag moves any:
// the manifest to put back if a later tag fails (nil for a tag that does
// not exist yet).
func (p *Publisher) tagsBefore(ctx context.Context, pushed []Pushed) (map[string]*remote.Descriptor, error) {
	out := map[string]*remote.Descriptor{}
	for _, pu := range pushed {
		for _, tag := range pu.tags {
			desc, err := remote.Get(tag, p.remoteOptions(ctx)...)
			switch {
			case isNotFound(err):
				out[tag.String()] = nil
			case err != nil:
				return nil, p.explain(err, "reading what is tagged", tag)
			default:
				out[tag.String()] = desc
			}
		}
	}
	return out, nil
}

// putBack undoes the tags moved before a tag failed with cause, so that
// either every tag of a run moves or none does: each is pointed again at
// the manifest it held. A tag that did not exist before cannot be taken
// away (a registry deletes manifests, not tags), and the error names it.
func (p *Publisher) putBack(ctx context.Context, cause error, moved []name.Tag, before map[string]*remote.Descriptor) error {
	if len(moved) == 0 {
		return fmt.Errorf("no tag moved: %w", cause)
	}
	var restored int
	var left []string
	var errs []error
	for _, tag := range moved {
		desc := before[tag.String()]
		if desc == nil {
			left = append(left, tag.String())
			continue
		}
		if err := remote.Put(tag, desc, p.remoteOptions(ctx)...); err != nil {
			left = append(left, tag.String())
			errs = append(errs, p.explain(err, "putting back", tag))
			continue
		}
		restored++
	}
	msg := fmt.Sprintf("%d tags moved before this one were put back", restored)
	if len(left) > 0 {
		msg += fmt.Sprintf("; %d still point at this run's images, which are complete (they did not exist before, or putting them back failed): %s",
			len(left), strings.Join(left, ", "))
	}
	return errors.Join(append([]error{fmt.Errorf("%w; %s", cause, msg)}, errs...)...)
}

package spec

import (
	"errors"
	"path"
	"slices"
	"strings"

	"github.com/wsbuild/wsbuild/internal/feature"
	"github.com/wsbuild/wsbuild/internal/localfs"

	"go.yaml.in/yaml/v3"
)

// coreFields are the keys of an image that are not registered features,
// in the order documented; imageFields puts the features after labels.
var coreFields = []string{
	"base", "from", "os", "apt", "apt_sources", "pip", "pip_index", "requirements", "user",
	"volumes", "env", "workdir", "ports", "run", "copy", "labels", "test", "tag", "cache", "matrix",
}

// imageFields are the keys an image may have: the core fields, with every
// registered feature after labels.
var imageFields = func() []string {
	i := slices.Index(coreFields, "labels") + 1
	return slices.Concat(coreFields[:i], feature.Keys(), coreFields[i:])
}()

// misplacedField reports an entry of images:, f, that is named like an
// image field and sets neither base nor from: an image field written one
// level too far left, under the image prev (the entry before it, "" for
// none). It returns true when it reports one, so that f is not taken as an
// image.
func (d *decoder) misplacedField(f field, prev string) bool {
	if !slices.Contains(imageFields, f.name) {
		return false
	}
	if f.val.Kind == yaml.MappingNode {
		if k, _ := pair(f.val, "base"); k != nil {
			return false
		}
		if k, _ := pair(f.val, "from"); k != nil {
			return false
		}
	}
	where := "under the image it belongs to, as images.IMAGE." + f.name
	if prev != "" {
		where = "under images." + prev + ", as images." + prev + "." + f.name
	}
	if f.name == "matrix" {
		where += ", or, for the family matrix, at the top beside images:"
	}
	d.fail(f, "%s is an image field, not an image (it sets neither base nor from): indent it %s", f.name, where)
	return true
}

const (
	listOfPorts = `a list of ports`
	onePort     = `a port such as 8888 or "53/udp"`
)

// image decodes one entry of images:, or one variant's copy of it. Nothing is
// inherited or defaulted; matrix: was read by declare.
func (d *decoder) image(f field) *Image {
	img := &Image{Name: f.name, Repository: f.name}
	if err := checkImageName(f.name); err != nil {
		d.errorf(d.at(f.key), f.path, "%v", err)
	}
	if isNull(f.val) {
		d.fail(f, "sets neither base nor from; use base for an external image or from for an image of this family")
		return img
	}
	set := map[string]bool{}
	for _, c := range d.mapping(f, "a mapping of image fields", imageFields) {
		if !isNull(c.val) {
			set[c.name] = true
		}
		switch c.name {
		case "base":
			img.Base = d.str(c, checkBase)
		case "from":
			img.From = d.str(c, nil)
		case "os":
			img.OS = d.str(c, checkOS)
		case "test":
			img.Test = d.tests(c)
		case "apt":
			img.Apt = d.strList(c, "a list of strings", "a string", checkAptPackage)
		case "pip":
			img.Pip = d.strList(c, "a list of strings", "a string", checkPipPackage)
		case "requirements":
			img.Requirements, img.RequirementsData, img.RequirementsIncludes = d.requirements(c)
		case "pip_index":
			img.PipIndex = d.pipIndex(c)
		case "apt_sources":
			img.AptSources = d.aptSources(c)
		case "user":
			img.User = d.user(c)
		case "volumes":
			img.Volumes = d.strList(c, "a list of strings", "a string", checkVolume)
		case "env":
			img.Env = d.strMap(c, checkEnvName)
		case "workdir":
			img.Workdir = d.str(c, checkWorkdir)
		case "ports":
			img.Ports = d.strList(c, listOfPorts, onePort, normalizePort)
		case "run":
			img.Run = d.run(c)
		case "copy":
			img.Copy = d.copies(c)
		case "labels":
			img.Labels = d.strMap(c, checkLabelKey)
		case "tag":
			img.Tag = d.str(c, checkTag)
		case "cache":
			img.Cache = d.cache(c)
		case "matrix":
		default:
			if ft, ok := feature.Lookup(c.name); ok {
				if s := d.feature(c, ft); s != nil {
					if img.Features == nil {
						img.Features = map[string]feature.Settings{}
					}
					img.Features[c.name] = s
				} else if b, isBool := isBool(c.val); isBool && !b {
					img.Off = append(img.Off, c.name)
				}
			}
		}
	}
	switch {
	case set["base"] && set["from"]:
		d.fail(f, "sets both base and from; use base for an external image or from for an image of this family")
	case !set["base"] && !set["from"]:
		d.fail(f, "sets neither base nor from; use base for an external image or from for an image of this family")
	}
	d.checkChainStart(f, set)
	return img
}

// requirements decodes requirements: and reads the file it names, with the
// links and includes the build receives beside it (see localfs.Requirements).
func (d *decoder) requirements(f field) (string, []byte, []localfs.Entry) {
	p := d.str(f, func(s string) (string, error) { return checkLocalPath("requirements file", s) })
	if p == "" || escapes(p) {
		return p, nil, nil
	}
	if d.fsys == nil {
		d.fail(f, "cannot read %q: no folder was given to read it from", p)
		return p, nil, nil
	}
	entries, err := localfs.Requirements(d.fsys, p)
	if err != nil {
		d.fail(f, "reading %q: %v", p, err)
		return p, nil, nil
	}
	// The first file is the one p names: alone when p is a plain file,
	// after the links on its way otherwise.
	first := slices.IndexFunc(entries, func(e localfs.Entry) bool { return e.Link == "" })
	data := entries[first].Data
	if first == 0 && entries[0].Path == path.Clean(p) {
		entries = entries[1:]
	}
	if len(entries) == 0 {
		entries = nil
	}
	return p, data, entries
}

// user decodes user: {name, uid, gid}; absent fields stay zero so that the
// planner can inherit or default them.
func (d *decoder) user(f field) *User {
	if isNull(f.val) {
		return nil
	}
	u := &User{}
	for _, c := range d.mapping(f, "a mapping with name, uid and gid", []string{"name", "uid", "gid"}) {
		switch c.name {
		case "name":
			u.Name = d.str(c, checkUserName)
		case "uid", "gid":
			v, ok := d.integer(c)
			switch {
			case !ok:
			case v == 0:
				d.fail(c, "must not be root (0): the image runs as a normal account")
			case v < MinID || v > MaxID:
				d.fail(c, "%d is outside %d-%d: ids below %d are the OS's system accounts and groups (daemon, sudo, shadow), and above %d are not normal accounts", v, MinID, MaxID, MinID, MaxID)
			case c.name == "uid":
				u.UID = v
			default:
				u.GID = v
			}
		}
	}
	return u
}

// The range of a workstation account's uid and gid: Debian's and Ubuntu's
// normal accounts (FIRST_UID and LAST_UID of adduser.conf).
const (
	// MinID is the lowest uid or gid an image's account may have.
	MinID = 1000
	// MaxID is the highest.
	MaxID = 59999
)

// run decodes run: a list is the command in exec form, a string is run by
// /bin/sh -c.
func (d *decoder) run(f field) []string {
	if f.val.Kind == yaml.ScalarNode && f.val.ShortTag() == "!!str" {
		if strings.TrimSpace(f.val.Value) == "" || strings.ContainsRune(f.val.Value, 0) {
			d.fail(f, "must not be empty or hold a NUL character")
			return nil
		}
		return []string{"/bin/sh", "-c", f.val.Value}
	}
	if f.val.Kind != yaml.SequenceNode && !isNull(f.val) {
		d.fail(f, "expected a command string or a list of strings, got %s", describe(f.val))
		return nil
	}
	cmd := d.strList(f, "a list of strings", "a string", checkArg)
	switch {
	case cmd != nil && len(cmd) == 0 && len(f.val.Content) == 0:
		d.fail(f, "must not be empty")
	case len(cmd) > 0 && strings.TrimSpace(cmd[0]) == "":
		d.fail(f, "the command (its first item) is empty")
	}
	return cmd
}

// checkArg accepts an argument of an exec-form command: anything but NUL,
// which no argument can hold.
func checkArg(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return s, errors.New("an argument cannot hold a NUL character")
	}
	return s, nil
}

// copies decodes copy: a list of {src, dst}.
func (d *decoder) copies(f field) []Copy {
	items := d.list(f, "a list of {src, dst} mappings")
	if items == nil {
		return nil
	}
	out := make([]Copy, 0, len(items))
	for _, it := range items {
		if isNull(it.val) {
			d.fail(it, "expected a {src, dst} mapping, got null")
			continue
		}
		var c Copy
		has := map[string]bool{}
		for _, kv := range d.mapping(it, "a {src, dst} mapping", []string{"src", "dst"}) {
			has[kv.name] = !isNull(kv.val)
			switch kv.name {
			case "src":
				c.Src = d.str(kv, func(s string) (string, error) { return checkLocalPath("src", s) })
			case "dst":
				c.Dst = d.str(kv, checkCopyDst)
			}
		}
		if it.val.Kind != yaml.MappingNode {
			continue
		}
		if !has["src"] {
			d.fail(it, "missing src")
		}
		if !has["dst"] {
			d.fail(it, "missing dst")
		}
		out = append(out, c)
	}
	return out
}

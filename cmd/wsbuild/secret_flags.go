package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/pipeline"
	"github.com/wsbuild/wsbuild/internal/spec"
)

// secretSynopsis shows --secret in a command's synopsis.
const secretSynopsis = "[--secret id=ID,env=VAR|src=FILE]..."

// secretFlags are the --secret entries, as buildx spells them.
type secretFlags struct{ entries []string }

func (s *secretFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&s.entries, "secret", nil, "build secret `SECRET`: id=ID,env=VAR or id=ID,src=FILE (buildx's syntax; type=env|file too), over the spec's secrets: entry ID (repeatable)")
}

// apply parses every --secret into o.Secrets.
func (s *secretFlags) apply(o *pipeline.Options) error {
	for _, e := range s.entries {
		f, err := parseSecret(e)
		if err != nil {
			return usageError{fmt.Errorf("--secret %q: %w", e, err)}
		}
		o.Secrets = append(o.Secrets, f)
	}
	return nil
}

// parseSecret reads one --secret as buildx does: id=ID with env=VAR, or
// src=FILE (source= too), or type=env|file naming how to read src; an
// entry with only an id reads the variable of that name.
func parseSecret(s string) (pipeline.SecretFlag, error) {
	var f pipeline.SecretFlag
	var typ, src string
	for _, field := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return f, fmt.Errorf("%q is not key=value", field)
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "id":
			f.ID = v
		case "env":
			f.Env = v
		case "src", "source":
			src = v
		case "type":
			typ = v
		default:
			return f, fmt.Errorf("unknown key %q (want id, env, src or type)", k)
		}
	}
	if _, err := spec.CheckSecretID(f.ID); err != nil {
		return f, err
	}
	switch typ {
	case "", "file":
		if src != "" {
			f.File = src
		}
	case "env":
		if src != "" {
			f.Env = src
		}
	default:
		return f, fmt.Errorf("unknown type %q (want env or file)", typ)
	}
	if f.Env != "" && f.File != "" {
		return f, fmt.Errorf("give env= or src=, not both")
	}
	if f.Env == "" && f.File == "" {
		f.Env = f.ID
	}
	return f, nil
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"github.com/wsbuild/wsbuild/internal/creds"
	"github.com/wsbuild/wsbuild/internal/pipeline"
)

// stdin is where --registry-password-stdin reads; a variable for tests.
var stdin io.Reader = os.Stdin

// registrySynopsis shows registryFlags in a command's synopsis.
const registrySynopsis = "[--registry HOST] [--namespace NS] [--registry-user USER [--registry-password-stdin | --registry-password-env VAR]]"

// registryFlags are where a run pushes and the credentials CI gives for it.
// A password is never a flag's value: it would show in the process list
// and in shell history.
type registryFlags struct {
	registry, namespace string
	user                string
	passwordStdin       bool
	passwordEnv         string
}

func (r *registryFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&r.registry, "registry", "", "push to `HOST` instead of the registry of each of the spec's push targets")
	fs.StringVar(&r.namespace, "namespace", "", "push into namespace `NS` instead of each push target's (a staging namespace in CI, say)")
	fs.StringVar(&r.user, "registry-user", "", "log in to the registries pushed to as `USER`, ahead of the Docker config and podman's auth file")
	fs.BoolVar(&r.passwordStdin, "registry-password-stdin", false, "read --registry-user's password or token from standard input")
	fs.StringVar(&r.passwordEnv, "registry-password-env", "", "read --registry-user's password or token from the environment variable `VAR`")
}

// apply sets o's push target overrides and CI credential, reading the
// password where the flags say.
func (r *registryFlags) apply(o *pipeline.Options) error {
	o.Registry, o.Namespace = r.registry, r.namespace
	given := r.passwordStdin || r.passwordEnv != ""
	switch {
	case r.user == "" && given:
		return usageError{errors.New("--registry-password-stdin and --registry-password-env need --registry-user")}
	case r.user == "":
		return nil
	case r.passwordStdin && r.passwordEnv != "":
		return usageError{errors.New("give --registry-password-stdin or --registry-password-env, not both")}
	case !given:
		return usageError{errors.New("--registry-user needs --registry-password-stdin or --registry-password-env VAR (a password is never a flag's value)")}
	}
	ci := creds.CI{User: r.user}
	if r.passwordStdin {
		b, err := io.ReadAll(io.LimitReader(stdin, 64<<10))
		if err != nil {
			return fmt.Errorf("--registry-password-stdin: %w", err)
		}
		ci.Password, ci.From = strings.TrimRight(string(b), "\r\n"), "stdin"
	} else {
		ci.Password, ci.From = os.Getenv(r.passwordEnv), "$"+r.passwordEnv
	}
	if ci.Password == "" {
		return usageError{fmt.Errorf("--registry-user %s: the password from %s is empty", r.user, ci.From)}
	}
	o.Credentials = ci
	return nil
}

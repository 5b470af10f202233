// Package probe proves that a started workstation image serves: that its
// Jupyter, VNC, noVNC and sshd answer on loopback with the credentials the
// platform gives the container, refuse callers without them, and that the
// desktop's processes run. It is the logic of the static wsbuild-probe
// binary, which a check mounts read-only into a build step on top of each
// image, so nothing of it has to be installed in the image. Its sbom
// command, mounted the same way into the step that lists a finished image's
// packages, writes what package sbom finds for the image's SBOM.
//
// Services start asynchronously (under supervisord), so every service is
// retried until it answers or the deadline passes; an answer that breaks a
// security promise (a VNC server offering no authentication, a Jupyter API
// served without a token, an sshd taking a password) fails at once.
package probe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Service is one thing to prove, parsed from its command-line form by
// Parse.
type Service struct {
	// Spec is the service as written on the command line, such as
	// "jupyter:8888:python3".
	Spec  string
	prove func(ctx context.Context, o *options) (string, error)
}

// Result is the outcome of proving one Service.
type Result struct {
	// Spec is the service as written on the command line.
	Spec string
	// OK reports whether the service was proven.
	OK bool
	// Detail says what was proven, or why it was not.
	Detail string
	// Ready is how long after the start of Run the service was proven, or
	// gave up.
	Ready time.Duration
}

// String formats r as the probe prints it: "ok SPEC: what (ready after
// 1.2s)" or "FAIL SPEC: reason".
func (r Result) String() string {
	if r.OK {
		return fmt.Sprintf("ok %s: %s (ready after %s)", r.Spec, r.Detail, r.Ready.Round(100*time.Millisecond))
	}
	return fmt.Sprintf("FAIL %s: %s", r.Spec, r.Detail)
}

// Parse reads a service in its command-line form:
//
//	jupyter:PORT[:KERNEL,KERNEL...]
//	vnc:PORT
//	novnc:PORT
//	sshd:PORT:USER:KEYFILE
//	process:NAME[,NAME...]
func Parse(spec string) (Service, error) {
	kind, rest, _ := strings.Cut(spec, ":")
	parts := strings.Split(rest, ":")
	s := Service{Spec: spec}
	var err error
	switch kind {
	case "jupyter":
		if len(parts) > 2 {
			return s, fmt.Errorf("service %q: want jupyter:PORT[:KERNEL,KERNEL...]", spec)
		}
		var port int
		if port, err = parsePort(spec, parts[0]); err != nil {
			return s, err
		}
		var kernels []string
		if len(parts) == 2 {
			if kernels, err = parseList(spec, "kernel", parts[1]); err != nil {
				return s, err
			}
		}
		s.prove = func(ctx context.Context, o *options) (string, error) { return proveJupyter(ctx, o, port, kernels) }
	case "vnc", "novnc":
		if len(parts) != 1 {
			return s, fmt.Errorf("service %q: want %s:PORT", spec, kind)
		}
		var port int
		if port, err = parsePort(spec, parts[0]); err != nil {
			return s, err
		}
		if kind == "vnc" {
			s.prove = func(ctx context.Context, o *options) (string, error) { return proveVNC(ctx, o, port) }
		} else {
			s.prove = func(ctx context.Context, o *options) (string, error) { return proveNoVNC(ctx, o, port) }
		}
	case "sshd":
		// The key file may hold colons; only the first three are separators.
		parts = strings.SplitN(rest, ":", 3)
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return s, fmt.Errorf("service %q: want sshd:PORT:USER:KEYFILE", spec)
		}
		var port int
		if port, err = parsePort(spec, parts[0]); err != nil {
			return s, err
		}
		user, keyfile := parts[1], parts[2]
		s.prove = func(ctx context.Context, o *options) (string, error) { return proveSSHD(ctx, o, port, user, keyfile) }
	case "process":
		names, err := parseList(spec, "process name", rest)
		if err != nil {
			return s, err
		}
		s.prove = func(ctx context.Context, o *options) (string, error) { return proveProcesses(o, names) }
	default:
		return s, fmt.Errorf("service %q: unknown kind %q (want jupyter, vnc, novnc, sshd or process)", spec, kind)
	}
	return s, nil
}

func parsePort(spec, s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("service %q: port %q is not a number from 1 to 65535", spec, s)
	}
	return p, nil
}

func parseList(spec, what, s string) ([]string, error) {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v == "" {
			return nil, fmt.Errorf("service %q: empty %s in %q", spec, what, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// Run proves every service at once, each retried until it answers or the
// timeout passes, and returns their results in the order given.
func Run(ctx context.Context, services []Service, opts ...Option) ([]Result, error) {
	o := defaults()
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	start := time.Now()
	results := make([]Result, len(services))
	var wg sync.WaitGroup
	for i, s := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = retry(ctx, s, o, start)
		}()
	}
	wg.Wait()
	return results, nil
}

// retry proves s until it succeeds, fails for good, or ctx ends.
func retry(ctx context.Context, s Service, o *options, start time.Time) Result {
	r := Result{Spec: s.Spec}
	var last error
	for {
		actx, cancel := context.WithTimeout(ctx, o.attempt)
		detail, err := s.prove(actx, o)
		cancel()
		r.Ready = time.Since(start)
		if err == nil {
			r.OK, r.Detail = true, detail
			return r
		}
		var f *fatalError
		if errors.As(err, &f) {
			r.Detail = err.Error()
			return r
		}
		// An attempt cut short by the deadline says less than the one
		// before it.
		if dl, ok := ctx.Deadline(); last == nil || !ok || time.Now().Before(dl) {
			last = err
		}
		select {
		case <-ctx.Done():
			r.Detail = fmt.Sprintf("not ready after %s: %v", time.Since(start).Round(time.Second), last)
			return r
		case <-time.After(o.interval):
		}
	}
}

// fatalError marks an answer that retrying cannot mend: the service is up
// and breaks a promise.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// fatalf is fmt.Errorf for answers that fail the service at once.
func fatalf(format string, args ...any) error {
	return &fatalError{fmt.Errorf(format, args...)}
}

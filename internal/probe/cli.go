package probe

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Usage is the command line of wsbuild-probe.
const Usage = `usage:
  wsbuild-probe keygen DIR
      write DIR/id_ed25519 (an OpenSSH private key) and print its
      authorized_keys line
  wsbuild-probe sbom [--root /] [--venv DIR]... --out FILE
      write FILE: a JSON inventory of the image filesystem at --root (the
      OS, the Debian packages dpkg installed, the Python distributions in
      each virtual environment DIR, an absolute path in the image)
  wsbuild-probe [--timeout 120s] SERVICE...
      wait for and prove each service on 127.0.0.1; one line per service
      jupyter:PORT[:KERNEL,KERNEL...]  API needs $JUPYTER_TOKEN; kernels offered
      vnc:PORT                         no None security; $VNC_PASSWORD accepted, a wrong one refused
      novnc:PORT                       noVNC's page; /websockify relays the RFB greeting
      sshd:PORT:USER:KEYFILE           key login runs 'id -u'; passwords refused
      process:NAME[,NAME...]           every named process runs
exit status: 0 all proven, 1 some failed, 2 bad usage
`

// Main runs wsbuild-probe with args (without the program name), reading
// JUPYTER_TOKEN and VNC_PASSWORD through getenv, and returns the exit
// status: 0 when everything was proven (or the keygen or sbom command
// succeeded), 1 when something failed, 2 for a bad command line.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "sbom" {
		return sbomMain(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "keygen" {
		if len(args) != 2 {
			fmt.Fprint(stderr, "wsbuild-probe: keygen takes one DIR\n"+Usage)
			return 2
		}
		line, err := Keygen(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "wsbuild-probe: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, line)
		return 0
	}
	fs := flag.NewFlagSet("wsbuild-probe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	timeout := fs.Duration("timeout", 120*time.Second, "how long services get to answer")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "wsbuild-probe: %v\n%s", err, Usage)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "wsbuild-probe: no service to prove\n"+Usage)
		return 2
	}
	var services []Service
	for _, a := range fs.Args() {
		s, err := Parse(a)
		if err != nil {
			fmt.Fprintf(stderr, "wsbuild-probe: %v\n", err)
			return 2
		}
		services = append(services, s)
	}
	results, err := Run(ctx, services, WithTimeout(*timeout),
		WithJupyterToken(getenv("JUPYTER_TOKEN")), WithVNCPassword(getenv("VNC_PASSWORD")))
	if err != nil {
		fmt.Fprintf(stderr, "wsbuild-probe: %v\n", err)
		return 2
	}
	var failed []string
	for _, r := range results {
		fmt.Fprintln(stdout, r)
		if !r.OK {
			failed = append(failed, r.Spec)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(stdout, "wsbuild-probe: %d of %d failed: %s\n", len(failed), len(results), strings.Join(failed, " "))
		return 1
	}
	return 0
}

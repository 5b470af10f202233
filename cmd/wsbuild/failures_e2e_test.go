package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/wsbuild/wsbuild/internal/rig"
)

// failuresSpec is a parent whose named step prints three marker lines, two
// children that share it, and three children whose own build step fails:
// an apt package and a pip distribution that do not exist, and a step that
// exits 3 after printing its last words.
const failuresSpec = `images:
  parent:
    base: debian:bookworm
    python: "3.11"
    env: {PIP_INDEX_URL: "%s"}
    steps:
      - {name: shared, run: "for i in 1 2 3; do echo wsbuild-shared-$((40+i)); done"}
  one:
    from: parent
    steps: ["true"]
  two:
    from: parent
    steps: ["true"]
  badapt:
    from: parent
    apt: [no-such-package-wsbuild]
  badpip:
    from: parent
    pip: [no-such-dist-wsbuild]
  badstep:
    from: parent
    steps:
      - {name: fails, run: "echo wsbuild-early-words; echo wsbuild-last-$((6*7)); exit 3"}
`

// TestHonestFailures builds a family in which three images fail in their
// own build steps, with plain progress, and checks that each error names
// the image, the step, its exit code and the step's last output lines and
// blames no check; that the parent's step output, shared by five images,
// is printed once; and that the content store's fsverity warning is not
// printed.
func TestHonestFailures(t *testing.T) {
	r := rig.ForTest(t)
	useRig(t, r)
	dir := t.TempDir()
	index := servePackageIndex(t, "wsdemo")
	specPath := filepath.Join(dir, "wsbuild.yaml")
	write(t, specPath, fmt.Sprintf(failuresSpec, index))
	// The content store logs through logrus's standard logger.
	var logs bytes.Buffer
	out := logrus.StandardLogger().Out
	logrus.SetOutput(&logs)
	t.Cleanup(func() { logrus.SetOutput(out) })

	code, stderr := wsbuild(t, "build", "-f", specPath, "--progress", "plain")
	if code != 1 {
		t.Fatalf("build exited %d, want 1:\n%s", code, lastLines(stderr, 60))
	}
	t.Logf("the run printed %d lines", strings.Count(stderr, "\n"))
	errs := errorText(stderr)
	for _, tc := range []struct {
		image, step string
		code        int
		output      []string // lines of the step's output the error must quote
	}{
		{"badapt", "[badapt] apt-get install", 100, []string{"Unable to locate package no-such-package-wsbuild"}},
		{"badpip", "[badpip] pip install", 1, []string{"No matching distribution found for no-such-dist-wsbuild"}},
		{"badstep", "[badstep] step: fails", 3, []string{"wsbuild-early-words", "wsbuild-last-42"}},
	} {
		t.Run(tc.image, func(t *testing.T) {
			msg := errs[tc.image]
			if msg == "" {
				t.Fatalf("no error names image %q:\n%s", tc.image, lastLines(stderr, 60))
			}
			re := regexp.MustCompile(`^step "` + regexp.QuoteMeta(tc.step) + `[^"]*" failed with exit code ` + fmt.Sprint(tc.code) + `\b`)
			if !re.MatchString(msg) {
				t.Errorf("the error does not name step %q and exit code %d:\n%s", tc.step, tc.code, msg)
			}
			for _, l := range tc.output {
				if !strings.Contains(msg, l) {
					t.Errorf("the error does not quote the step's output %q:\n%s", l, msg)
				}
			}
			t.Logf("the error: %s", msg)
			if strings.Contains(msg, "failed checks") {
				t.Errorf("the error blames a check:\n%s", msg)
			}
		})
	}
	for _, img := range []string{"parent", "one", "two"} {
		if msg, ok := errs[img]; ok {
			t.Errorf("image %q failed: %s", img, msg)
		}
	}

	t.Run("shared step output once", func(t *testing.T) {
		for i := 41; i <= 43; i++ {
			re := regexp.MustCompile(fmt.Sprintf(`(?m)^#\d+ [0-9.]+ wsbuild-shared-%d$`, i))
			if n := len(re.FindAllString(stderr, -1)); n != 1 {
				t.Errorf("the shared step's line wsbuild-shared-%d is printed %d times, want once", i, n)
			}
		}
		re := regexp.MustCompile(`(?m)^#\d+ [0-9.]+ wsbuild-last-42$`)
		if n := len(re.FindAllString(stderr, -1)); n != 1 {
			t.Errorf("the failing step's last line is printed %d times in the progress, want once", n)
		}
	})
	t.Run("no fsverity warning", func(t *testing.T) {
		if strings.Contains(stderr+logs.String(), "fsverity") {
			t.Errorf("the run printed the content store's fsverity warning:\n%s", logs.String())
		}
	})
}

// errorText maps each image named by a `building image "NAME": ` error in
// the CLI's stderr to that error, with its continuation lines.
func errorText(stderr string) map[string]string {
	out := map[string]string{}
	_, after, ok := strings.Cut(stderr, "\nwsbuild: ")
	if !ok {
		return out
	}
	re := regexp.MustCompile(`(?m)^(?:wsbuild: )?building image "([^"]+)": `)
	locs := re.FindAllStringSubmatchIndex(after, -1)
	for i, loc := range locs {
		end := len(after)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out[after[loc[2]:loc[3]]] = after[loc[1]:end]
	}
	return out
}

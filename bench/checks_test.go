package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/wsbuild/wsbuild/llb"
	"google.golang.org/protobuf/proto"
)

// checkRun is one run of a check script: the file under
// templates/files/checks, whether it runs as root, and the variables set
// for it beyond the image's own environment and HOME.
type checkRun struct {
	Script string
	Root   bool
	Env    []string // KEY=value, sorted
}

func (c checkRun) String() string {
	who := "user"
	if c.Root {
		who = "root"
	}
	return fmt.Sprintf("%s as %s %v", c.Script, who, c.Env)
}

// compiledChecks is what the compiler runs inside one image.
type compiledChecks struct {
	Files  []checkRun // the file checks, in the compiler's order
	Inline []string   // the scripts of the other checks (features' inline ones, spec tests)
	Home   []string   // the HOME every check is given
}

// templateChecks reads templates/files/checks/*.sh: name to content.
func templateChecks(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob("../templates/files/checks/*.sh")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no check scripts under templates/files/checks (%v)", err)
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// compileCatalogue compiles the catalogue as the bench builds it and
// returns, per image, the checks the compiler emits, read back from each
// check's LLB: the exec of "/bin/sh -c 'set -eu\n' + script".
func compileCatalogue(t *testing.T) map[string]compiledChecks {
	t.Helper()
	scripts := templateChecks(t)
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}}`)
	bases := map[string]llb.Base{"debian:bookworm": {Ref: "docker.io/library/debian:bookworm@sha256:" + strings.Repeat("a", 64), Config: cfg}}
	amd64 := ocispec.Platform{OS: "linux", Architecture: "amd64"}
	images, err := llb.Compile(cataloguePlan(t), bases, llb.WithPlatform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]compiledChecks{}
	for _, img := range images {
		own := map[string]bool{}
		for _, e := range img.Config.Config.Env {
			own[e] = true
		}
		var cc compiledChecks
		for _, c := range img.Checks {
			meta := checkExec(t, img.Node.Name, c)
			script := strings.TrimPrefix(meta.Args[2], "set -eu\n")
			if strings.Contains(script, scripts["start.sh"]) || script == llb.InitPath+" true" {
				continue // the start check; the Dockerfiles have none (bench/README.md)
			}
			var env []string
			for _, e := range meta.Env {
				switch {
				case strings.HasPrefix(e, "HOME="):
					cc.Home = append(cc.Home, e)
				case !own[e]:
					env = append(env, e)
				}
			}
			slices.Sort(env)
			name := ""
			for n, s := range scripts {
				if script == s {
					name = n
				}
			}
			if name == "" {
				cc.Inline = append(cc.Inline, script)
				continue
			}
			cc.Files = append(cc.Files, checkRun{Script: name, Root: meta.User == "0:0", Env: env})
		}
		out[img.Node.Name] = cc
	}
	return out
}

// checkExec returns the exec of check c: the last exec of its LLB, which
// lists every op after its inputs.
func checkExec(t *testing.T, image string, c llb.Check) *pb.Meta {
	t.Helper()
	def, err := c.State.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var meta *pb.Meta
	for _, raw := range def.Def {
		var op pb.Op
		if err := proto.Unmarshal(raw, &op); err != nil {
			t.Fatal(err)
		}
		if e := op.GetExec(); e != nil {
			meta = e.Meta
		}
	}
	if meta == nil || len(meta.Args) != 3 || meta.Args[0] != "/bin/sh" || meta.Args[1] != "-c" {
		t.Fatalf("%s: check %q: its LLB does not end in an exec of /bin/sh -c SCRIPT (%v)", image, c.Name, meta)
	}
	return meta
}

// dockerfileChecks is what the check stage of one Dockerfile runs.
type dockerfileChecks struct {
	Files    []checkRun
	Commands map[bool][]string // every RUN's command (continuations joined), by root
	Home     string            // the check stage's ENV HOME
	Problems []string
}

var (
	checkCall  = regexp.MustCompile(`^((?:[A-Z_]+=(?:'[^']*'|[^'\s]+)\s+)*)sh -eu /run/checks/([a-z0-9-]+\.sh)$`)
	assignment = regexp.MustCompile(`([A-Z_]+)=('[^']*'|[^'\s]+)`)
	runFlag    = regexp.MustCompile(`^--\S+\s+`)
)

// checkMount is the mount every RUN of a check stage that runs a script has.
const checkMount = "--mount=type=bind,source=files/checks,target=/run/checks"

// parseCheckStage reads the "FROM image AS check" stage of a Dockerfile.
func parseCheckStage(dockerfile string) dockerfileChecks {
	d := dockerfileChecks{Commands: map[bool][]string{}}
	_, stage, ok := strings.Cut(dockerfile, "\nFROM image AS check\n")
	if !ok {
		d.Problems = append(d.Problems, "no FROM image AS check stage")
		return d
	}
	if i := strings.Index(stage, "\nFROM "); i >= 0 {
		stage = stage[:i]
	}
	stage = strings.ReplaceAll(stage, "\\\n", " ")
	root := false
	for _, line := range strings.Split(stage, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		switch {
		case strings.HasPrefix(line, "USER "):
			u := strings.TrimPrefix(line, "USER ")
			root = u == "0:0" || u == "0" || u == "root"
		case strings.HasPrefix(line, "ENV HOME="):
			d.Home = strings.TrimPrefix(line, "ENV ")
		case strings.HasPrefix(line, "RUN "):
			cmd := strings.TrimPrefix(line, "RUN ")
			var flags []string
			for m := runFlag.FindString(cmd); m != ""; m = runFlag.FindString(cmd) {
				flags = append(flags, strings.TrimSpace(m))
				cmd = cmd[len(m):]
			}
			d.Commands[root] = append(d.Commands[root], cmd)
			calls := 0
			for _, part := range strings.Split(cmd, " && ") {
				m := checkCall.FindStringSubmatch(part)
				if m == nil {
					if strings.Contains(part, "/run/checks/") {
						d.Problems = append(d.Problems, fmt.Sprintf("%q runs a check script other than as VAR=value... sh -eu /run/checks/NAME.sh", part))
					}
					continue
				}
				calls++
				var env []string
				for _, a := range assignment.FindAllStringSubmatch(m[1], -1) {
					env = append(env, a[1]+"="+strings.Trim(a[2], "'"))
				}
				slices.Sort(env)
				d.Files = append(d.Files, checkRun{Script: m[2], Root: root, Env: env})
			}
			if calls > 0 && (!slices.Contains(flags, checkMount) || !slices.Contains(flags, "--network=none")) {
				d.Problems = append(d.Problems, fmt.Sprintf("a RUN of check scripts lacks %s or --network=none: %v", checkMount, flags))
			}
		}
	}
	return d
}

// byUser orders runs root first, keeping their order otherwise: the
// Dockerfiles run the root checks in one RUN, then the user's in another.
func byUser(runs []checkRun) []string {
	var out []string
	for _, root := range []bool{true, false} {
		for _, r := range runs {
			if r.Root == root {
				out = append(out, r.String())
			}
		}
	}
	return out
}

// TestDockerfilesRunTemplateChecks checks that every Dockerfile's check
// stage runs the compiler's check scripts from files/checks (the build
// context's copy of templates/files), each with the compiler's variables,
// as root or as the user as the compiler runs it, and HOME as the compiler
// sets it; and that the compiler's inline checks and the spec's tests are
// run as the user too. The start check is the one left out.
func TestDockerfilesRunTemplateChecks(t *testing.T) {
	compiled := compileCatalogue(t)
	for name, want := range compiled {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("dockerfiles", name, "Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			have := parseCheckStage(string(b))
			for _, p := range have.Problems {
				t.Error(p)
			}
			if w, h := byUser(want.Files), byUser(have.Files); !slices.Equal(w, h) {
				t.Errorf("the check stage runs\n\t%s\nthe compiler runs\n\t%s", strings.Join(h, "\n\t"), strings.Join(w, "\n\t"))
			}
			for _, home := range want.Home {
				if home != have.Home {
					t.Errorf("the compiler runs checks with %s, the check stage has ENV %q", home, have.Home)
					break
				}
			}
			userRuns := strings.Join(have.Commands[false], "\n")
			for _, script := range want.Inline {
				for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
					if !strings.Contains(userRuns, line) {
						t.Errorf("the check stage does not run %q as the user", line)
					}
				}
			}
		})
	}
	if len(compiled) == 0 {
		t.Fatal("the catalogue compiled to no images")
	}
}

// TestNoBenchCheckCopies checks that bench/dockerfiles holds Dockerfiles
// only, one folder each: the check scripts come from templates/files, and
// no copy of one is kept under bench/.
func TestNoBenchCheckCopies(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case e.IsDir():
			if path == "dockerfiles/checks" {
				t.Errorf("%s exists; the check stages run files/checks", path)
			}
		case strings.HasSuffix(path, ".sh"):
			t.Errorf("%s: a shell script under bench/; the checks live in templates/files/checks", path)
		case strings.HasPrefix(path, "dockerfiles/") && filepath.Base(path) != "Dockerfile":
			t.Errorf("%s: bench/dockerfiles should hold only IMAGE/Dockerfile", path)
		case filepath.Base(path) == "Dockerfile":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if strings.Contains(string(b), "source=checks") {
				t.Errorf("%s mounts checks/ from the context; the scripts are under files/checks", path)
			}
			if !strings.Contains(string(b), checkMount) {
				t.Errorf("%s does not mount files/checks (%s)", path, checkMount)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

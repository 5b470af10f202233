package change

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/wsbuild/wsbuild/internal/plan"
	"github.com/wsbuild/wsbuild/internal/publish"
)

// pushedWithValues is what registries would hold after pushing every image
// of p with this wsbuild: input digests and annotated values.
func pushedWithValues(p *plan.Plan) map[string]publish.Found {
	out := pushed(p)
	for _, n := range p.Nodes {
		for _, r := range n.Refs {
			f := out[r.Name]
			f.Values = roundTrip(plan.InputValues(n.Values))
			out[r.Name] = f
		}
	}
	return out
}

// roundTrip passes values through the annotation's JSON, as a push and a
// lookup do.
func roundTrip(values map[string]json.RawMessage) map[string]json.RawMessage {
	b, err := json.Marshal(values)
	if err != nil {
		panic(err)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

const richFamily = `images:
  python:
    base: debian:bookworm
    python: "3.11"
    apt: [git, vim]
    env: {DEBUG: "0", KEEP: "1"}
    desktop: {session: lxde}
    labels: {"org.example.team": ml}
    user: {uid: 1000}
  tools:
    from: python
    copy: [{src: notes.txt, dst: /opt/notes.txt}]
  app:
    from: tools
    volumes: [work]
push:
  - {registry: reg.example, namespace: lab}
`

func TestDecideSaysWhatChanged(t *testing.T) {
	before := mustPlan(t, richFamily, "v1")
	found := pushedWithValues(before)
	tests := []struct {
		name  string
		notes string
		sets  []string
		want  string // reasons of python; tools and app when they say more than their parent
	}{
		{"list item added", "v1", []string{"python.apt=[git, vim, python3-tqdm]"},
			"python: apt: +python3-tqdm"},
		{"list items added and removed", "v1", []string{"python.apt=[git, curl, python3-tqdm]"},
			"python: apt: +curl +python3-tqdm -vim"},
		{"list reordered", "v1", []string{"python.apt=[vim, git]"},
			`python: apt: ["git","vim"] -> ["vim","git"]`},
		{"list emptied", "v1", []string{"python.apt=[]"},
			"python: apt: -git -vim"},
		{"list on a leaf that had none", "v1", []string{"app.apt=[python3-tqdm]"},
			"app: apt: +python3-tqdm"},
		{"env value", "v1", []string{"python.env.DEBUG=1"},
			`python: env.DEBUG: "0" -> "1" | tools: env.DEBUG: "0" -> "1"; parent "python" changed | app: env.DEBUG: "0" -> "1"; parent "tools" changed`},
		{"env key added", "v1", []string{"app.env.NEW=x y"},
			`app: env.NEW: (unset) -> "x y"`},
		{"nested feature field", "v1", []string{"python.desktop.session=xfce"},
			`python: desktop.session: "lxde" -> "xfce" | tools: desktop.session: "lxde" -> "xfce"; parent "python" changed | app: desktop.session: "lxde" -> "xfce"; parent "tools" changed`},
		{"feature added", "v1", []string{"app.sshd=true"},
			`app: sshd: (unset) -> {"port":2222}`},
		{"feature number", "v1", []string{"python.desktop.port=5901"},
			`python: desktop.port: 5900 -> 5901 | tools: desktop.port: 5900 -> 5901; parent "python" changed | app: desktop.port: 5900 -> 5901; parent "tools" changed`},
		{"scalar", "v1", []string{"python.python=3.12"},
			`python: python.version: "3.11" -> "3.12" | ` +
				`tools: parent "python" changed; python.version: "3.11" -> "3.12" | ` +
				`app: parent "tools" changed; python.version: "3.11" -> "3.12"`},
		{"struct field names as in the spec", "v1", []string{"python.user.name=me"},
			`python: user.name: "user" -> "me"; workdir: "/home/user" -> "/home/me" | ` +
				`tools: parent "python" changed; user.name: "user" -> "me"; workdir: "/home/user" -> "/home/me" | ` +
				`app: parent "tools" changed; user.name: "user" -> "me"; workdir: "/home/user" -> "/home/me"`},
		{"map key with dots", "v1", []string{`python.labels={"org.example.team": infra}`},
			`python: labels.org.example.team: "ml" -> "infra"`},
		{"list of words with spaces", "v1", []string{"app.test=[python3 -c 'import sys']"},
			`app: tests: +"python3 -c 'import sys'"`},
		{"copied file by digest", "v2", nil,
			`tools: file "notes.txt" changed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := Decide(mustPlan(t, richFamily, tt.notes, tt.sets...), found, false)
			if got := reasonsSummary(ds); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// reasonsSummary lists the reasons of every built image, leaving out a
// child's that only say its parent changed.
func reasonsSummary(ds []Decision) string {
	var out []string
	for _, d := range ds {
		if d.Action != Build {
			continue
		}
		if len(d.Reasons) == 1 && strings.HasPrefix(d.Reasons[0], "parent ") {
			continue
		}
		out = append(out, d.Node.Name+": "+strings.Join(d.Reasons, "; "))
	}
	return strings.Join(out, " | ")
}

func TestDiffChanges(t *testing.T) {
	before := mustPlan(t, richFamily, "v1")
	found := pushedWithValues(before)
	after := mustPlan(t, richFamily, "v1", "python.apt=[git, curl]", "python.env.DEBUG=1")
	ds := Decide(after, found, false)
	got, err := json.Marshal(ds[0].Changes)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"input":"apt","field":"apt","added":["curl"],"removed":["vim"]},` +
		`{"input":"env","field":"env.DEBUG","old":"0","new":"1"}]`
	if string(got) != want {
		t.Errorf("changes\n got %s\nwant %s", got, want)
	}
	if len(ds[0].Changed) != 2 || ds[0].Changed[0] != "apt" || ds[0].Changed[1] != "env" {
		t.Errorf("changed %v", ds[0].Changed)
	}
}

func TestBaseDigestShowsOldAndNew(t *testing.T) {
	before := mustPlan(t, richFamily, "v1")
	found := pushedWithValues(before)
	after := mustPlan(t, richFamily, "v1")
	v2 := digest.FromString("base v2")
	if err := after.SetBaseDigests(map[string]digest.Digest{"debian:bookworm": v2}); err != nil {
		t.Fatal(err)
	}
	ds := Decide(after, found, false)
	want := `base "debian:bookworm" now resolves to ` + v2.String() + " (was " + digest.FromString("base v1").String() + ")"
	if len(ds[0].Reasons) != 1 || ds[0].Reasons[0] != want {
		t.Errorf("reasons %q\nwant %q", ds[0].Reasons, want)
	}
	c := ds[0].Changes[0]
	if string(c.Old) != `"`+digest.FromString("base v1").String()+`"` || string(c.New) != `"`+v2.String()+`"` {
		t.Errorf("change %+v", c)
	}
}

// An image pushed before values were annotated, or whose annotated value
// does not match its digest, still gets the reasons naming the field.
func TestUnknownOldValuesNameTheField(t *testing.T) {
	before := mustPlan(t, richFamily, "v1")
	tampered := pushedWithValues(before)
	for ref, f := range tampered {
		values := map[string]json.RawMessage{}
		for k, v := range f.Values {
			values[k] = v
		}
		f.Values = values
		f.Values["apt"] = json.RawMessage(`["git"]`) // not what the digest says
		tampered[ref] = f
	}
	tests := []struct {
		name  string
		found map[string]publish.Found
	}{
		{"no values annotation", pushed(before)},
		{"value does not match its digest", tampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := Decide(mustPlan(t, richFamily, "v1", "python.apt=[git, curl]"), tt.found, false)
			if got := strings.Join(ds[0].Reasons, "; "); got != `spec field "apt" changed` {
				t.Errorf("reasons %q", got)
			}
			if len(ds[0].Changes) != 1 || ds[0].Changes[0].Known() || ds[0].Changes[0].Field != "apt" {
				t.Errorf("changes %+v", ds[0].Changes)
			}
		})
	}
}

func TestNormalise(t *testing.T) {
	tests := []struct {
		input, raw, want string
	}{
		{"env", `[{"Key":"A","Value":"1"},{"Key":"b","Value":"2"}]`, `{"A":"1","b":"2"}`},
		{"labels", `{"Org.Team":"x"}`, `{"Org.Team":"x"}`},
		{"desktop", `{"VNC":true,"Session":"lxde","Port":5900}`, `{"port":5900,"session":"lxde","vnc":true}`},
		{"user", `{"Name":"u","UID":1,"GID":2}`, `{"gid":2,"name":"u","uid":1}`},
		{"copy", `[{"Src":"a","Dst":"/b"}]`, `[{"dst":"/b","src":"a"}]`},
		{"axes", `[{"name":"python","value":"3.11"}]`, `[{"name":"python","value":"3.11"}]`},
		{"sourceDateEpoch", `12345678901234567890`, `12345678901234567890`},
		{"run", `["echo <&>"]`, `["echo <&>"]`},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			v, err := Normalise(tt.input, json.RawMessage(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(mustJSON(v)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := Normalise("apt", json.RawMessage(`[`)); err == nil || !strings.Contains(err.Error(), `reading input "apt"`) {
		t.Errorf("bad JSON: %v", err)
	}
}

func TestShow(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`"python3-tqdm"`, "python3-tqdm"},
		{`"torch==2.3"`, "torch==2.3"},
		{`"a b"`, `"a b"`},
		{`""`, `""`},
		{`"x;y"`, `"x;y"`},
		{`5900`, "5900"},
		{`{"src":"a"}`, `{"src":"a"}`},
	}
	for _, tt := range tests {
		if got := Show(json.RawMessage(tt.raw)); got != tt.want {
			t.Errorf("Show(%s) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}

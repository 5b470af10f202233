package lock

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse reads a lock file: a lock that is read is written back the
// same after one round trip, and read again as it was.
func FuzzParse(f *testing.F) {
	good, err := sample().Marshal()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(good),
		`{"version": 1, "bases": []}`,
		`{"version": 2, "bases": []}`,
		`{"version": 1, "bases": [{"ref": "a", "platform": "linux/amd64", "digest": "sha256:00", "pinned": "a"}]}`,
		`{"version": 1, "bases": [], "extra": true}`,
		`{"version": 1, "bases": []}{"version": 1}`,
		`{"version": 1, "bases": [null]}`,
		strings.Repeat("[", 100000),
		"{\"version\": 1, \"bases\": [{\"ref\": \"\xff\"}]}",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := Parse("wsbuild.lock", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "wsbuild.lock: ") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		a, err := lf.Marshal()
		if err != nil {
			t.Fatalf("Marshal of what Parse read: %v", err)
		}
		again, err := Parse("wsbuild.lock", a)
		if err != nil {
			t.Fatalf("Parse of what Marshal wrote: %v\n%s", err, a)
		}
		b, err := again.Marshal()
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the lock (%v):\n%s\n%s", err, a, b)
		}
	})
}

// TestParseRefusesTrailingData: a lock file is one JSON object; what
// follows it is not dropped unread.
func TestParseRefusesTrailingData(t *testing.T) {
	for _, in := range []string{`{"version": 1, "bases": []}{"version": 1}`, `{"version": 1, "bases": []} x`} {
		_, err := Parse("x.lock", []byte(in))
		if want := "x.lock: not a wsbuild lock file: more follows its JSON object"; err == nil || err.Error() != want {
			t.Errorf("Parse(%s) error %v, want %q", in, err, want)
		}
	}
	if _, err := Parse("x.lock", []byte("{\"version\": 1, \"bases\": []}\n\n")); err != nil {
		t.Errorf("trailing white space: %v", err)
	}
}

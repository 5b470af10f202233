package feature

import (
	"reflect"
	"testing"
)

func TestCheckString(t *testing.T) {
	for _, tc := range []struct {
		check, in string
		ok        bool
	}{
		{"oneof=lxde xfce", "xfce", true},
		{"oneof=lxde xfce", "gnome", false},
		{"resolution", "1280x800", true},
		{"resolution", "1280*800", false},
		{"url", "http://localhost:8888/lab?x=1", true},
		{"url", "https://example.org/a%20b", true},
		{"url", "file:///srv/index.html", true},
		{"url", "localhost:8888", false},
		{"url", "ftp://example.org", false},
		{"url", "http://x/'quoted'", false},
		{"url", "http://x/$HOME", false},
		{"command", "make", true},
		{"command", "  ", false},
		{"abspath", "/opt/models", true},
		{"abspath", "opt", false},
		{"abspath", "/opt/../etc", false},
		{"name", "clone the project", true},
		{"name", "two\nlines", false},
		{"rpackage", "data.table", true},
		{"rpackage", "r-cran-x", false},
		{"", "anything", true},
	} {
		_, err := CheckString(tc.check, tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("CheckString(%q, %q) = %v, want ok=%v", tc.check, tc.in, err, tc.ok)
		}
	}
	if err := CheckInt("port", 0); err == nil {
		t.Errorf("port 0 accepted")
	}
	if err := CheckInt("porttoggle", 6080); err != nil {
		t.Errorf("port 6080 refused: %v", err)
	}
}

func TestApplyDefaults(t *testing.T) {
	d := &Desktop{Session: "xfce"}
	ApplyDefaults(d)
	if d.Session != "xfce" || d.Browser != "firefox" || d.Port != 5900 || d.VNC == nil || !*d.VNC || d.NoVNC != 0 {
		t.Errorf("defaults %+v: want xfce kept, firefox, 5900, vnc on and noVNC left off", *d)
	}
	s := &Steps{{Run: "make"}, {Run: "x", User: "root"}}
	ApplyDefaults(s)
	if (*s)[0].User != "user" || (*s)[1].User != "root" {
		t.Errorf("step defaults %+v", *s)
	}
	c := Clone(d).(*Desktop)
	*c.VNC = false
	if !*d.VNC {
		t.Errorf("Clone shares the settings' pointers")
	}
}

func TestRegisterRefusesWhatTheDecoderCannotRead(t *testing.T) {
	type bad struct {
		Nested struct{ X int } `json:"nested"`
	}
	type unknownCheck struct {
		X string `json:"x" check:"nosuchcheck"`
	}
	for name, register := range map[string]func(){
		"nested struct": func() { Register(Def[bad]{Key: "t-bad", Doc: "d"}) },
		"unknown check": func() { Register(Def[unknownCheck]{Key: "t-check", Doc: "d"}) },
		"twice":         func() { Register(Def[Sshd]{Key: "sshd", Doc: "d"}) },
		"no doc":        func() { Register(Def[Sshd]{Key: "t-nodoc"}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			register()
		}()
	}
}

func TestRegistryOrder(t *testing.T) {
	want := []string{"cuda", "python", "desktop", "sshd", "r", "jupyter", "steps"}
	if got := Keys(); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
}

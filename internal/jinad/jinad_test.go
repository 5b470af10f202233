package jinad

import (
	"reflect"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Config
	}{
		{"empty", "", Config{Build: BuildDefault}},
		{"byte order mark", "\uFEFFpython = 3.11\n", Config{Build: BuildDefault, Python: "3.11"}},
		{"top level", "build = devel\npython = 3.11\nports = 8000\nrun = python app.py\n",
			Config{Build: BuildDevel, Python: "3.11", Ports: []int{8000}, Run: "python app.py"}},
		{"jina section, comments, CRLF", "# settings\r\n; more\r\n[jina]\r\n\r\npython = 3.10.4\r\nports = 8000, 8001 ,9000\r\n",
			Config{Build: BuildDefault, Python: "3.10.4", Ports: []int{8000, 8001, 9000}}},
		{"keys before and in the section", "build = default\n[jina]\npython = 3.12\n",
			Config{Build: BuildDefault, Python: "3.12"}},
		{"colon delimiter, upper-case key", "Python: 3.11\nrun: gunicorn --bind 0.0.0.0:8000 app:app\n",
			Config{Build: BuildDefault, Python: "3.11", Run: "gunicorn --bind 0.0.0.0:8000 app:app"}},
		{"quoted values", "build = \"devel\"\npython = '3.11'\nrun = \"python -c \\\"print('hi')\\\"\"\n",
			Config{Build: BuildDevel, Python: "3.11", Run: `python -c "print('hi')"`}},
		{"single-quoted run", "run = 'python app.py --name \"a b\"'\n",
			Config{Build: BuildDefault, Run: `python app.py --name "a b"`}},
		{"quotes that do not enclose the value", "run = \"python\" \"app.py\"\n",
			Config{Build: BuildDefault, Run: `"python" "app.py"`}},
		{"equals in the value", "run = python app.py --port=8000\n",
			Config{Build: BuildDefault, Run: "python app.py --port=8000"}},
		{"other keys are warnings", "jina = 2.0\npyhton = 3.11\nworkspace_id = abc\n",
			Config{Build: BuildDefault, Warnings: []string{
				".jinad:1: jina: ignored: wsbuild does not install Jina; list it in requirements.txt if the project needs it",
				`.jinad:2: pyhton: not a wsbuild key, ignored (did you mean "python"?)`,
				".jinad:3: workspace_id: not a wsbuild key, ignored",
			}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(".jinad", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"build = dev", `.jinad:1: build: unknown build "dev" (want default or devel)`},
		{"\npython = 3", `.jinad:2: python: invalid Python version "3" (want a Python 3 version such as 3.11)`},
		{"python = 2.7", `.jinad:1: python: invalid Python version "2.7" (want a Python 3 version such as 3.11)`},
		{"python = py3.11", `.jinad:1: python: invalid Python version "py3.11" (want a Python 3 version such as 3.11)`},
		{"ports = 8000,,8001", `.jinad:1: ports: empty port in "8000,,8001"`},
		{"ports = 8000,", `.jinad:1: ports: empty port in "8000,"`},
		{"ports = http", `.jinad:1: ports: invalid port "http" (want a number from 1 to 65535)`},
		{"ports = 70000", `.jinad:1: ports: invalid port "70000" (want a number from 1 to 65535)`},
		{"ports = 0", `.jinad:1: ports: invalid port "0" (want a number from 1 to 65535)`},
		{"ports = 8000 # web", `.jinad:1: ports: invalid port "8000 # web" (want a number from 1 to 65535)`},
		{"ports = 8000, 8000", `.jinad:1: ports: port 8000 listed twice`},
		{"run = python 'app.py", `.jinad:1: run: unterminated ' quote in "python 'app.py"`},
		{`run = python "app.py`, `.jinad:1: run: unterminated " quote in "python \"app.py"`},
		{`run = python app.py \`, `.jinad:1: run: trailing backslash in "python app.py \\"`},
		{`run = ""`, `.jinad:1: run: empty command`},
		{"run =", `.jinad:1: run: empty value`},
		{"python = 3.11\nPYTHON = 3.12", `.jinad:2: python: duplicate key (first set on line 1)`},
		{"python = 3.11\n[jina]\npython = 3.12", `.jinad:3: python: duplicate key (first set on line 1)`},
		{"just words", `.jinad:1: expected key = value, got "just words"`},
		{"= 3.11", `.jinad:1: missing key before "="`},
		{"[jina", `.jinad:1: unterminated section header "[jina"`},
		{"[server]\nports = 1", `.jinad:1: unknown section "[server]" (a .jinad has its keys at the top or under [jina])`},
		{"[jina]\n[jina]", `.jinad:2: duplicate section [jina]`},
		{"run = python\n  app.py", `.jinad:2: unexpected indented line (continuation lines are not supported)`},
		{"build = x\nports = y", ".jinad:1: build: unknown build \"x\" (want default or devel)\n" +
			`.jinad:2: ports: invalid port "y" (want a number from 1 to 65535)`},
	} {
		_, err := Parse(".jinad", []byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q):\n got  %v\n want %s", tc.in, err, tc.want)
		}
	}
}

func TestCommand(t *testing.T) {
	for _, tc := range []struct {
		in    string
		argv  []string
		shell bool
		err   string
	}{
		{in: "python app.py", argv: []string{"python", "app.py"}},
		{in: "  python\tapp.py  ", argv: []string{"python", "app.py"}},
		{in: `python -c "print('a b')"`, argv: []string{"python", "-c", "print('a b')"}},
		{in: `python -c 'print("x")'`, argv: []string{"python", "-c", `print("x")`}},
		{in: `echo a\ b "" 'c'd`, argv: []string{"echo", "a b", "", "cd"}},
		{in: `echo "a\"b\\c\n"`, argv: []string{"echo", `a"b\c\n`}},
		{in: "python app.py --port=8000", argv: []string{"python", "app.py", "--port=8000"}},
		{in: `echo '$HOME'`, argv: []string{"echo", "$HOME"}},
		{in: `echo \$HOME`, argv: []string{"echo", "$HOME"}},
		{in: "python app.py | tee log", shell: true},
		{in: "python app.py > log", shell: true},
		{in: "cd src && python app.py", shell: true},
		{in: "echo $HOME", shell: true},
		{in: `echo "$HOME"`, shell: true},
		{in: "python *.py", shell: true},
		{in: "ls ~", shell: true},
		{in: "python app.py # comment", shell: true},
		{in: "DEBUG=1 python app.py", shell: true},
		{in: "", err: "empty command"},
		{in: "   ", err: "empty command"},
		{in: `a "b`, err: `unterminated " quote in "a \"b"`},
	} {
		argv, shell, err := Command(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Command(%q): error %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || shell != tc.shell || !slices.Equal(argv, tc.argv) {
			t.Errorf("Command(%q) = %q, %v, %v; want %q, %v", tc.in, argv, shell, err, tc.argv, tc.shell)
		}
	}
}

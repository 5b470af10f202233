package probe

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fast are options for tests: short timeouts and intervals.
func fast(timeout time.Duration, more ...Option) []Option {
	return append([]Option{WithTimeout(timeout), WithInterval(20 * time.Millisecond), WithAttemptTimeout(timeout)}, more...)
}

// runOne proves one service spec with opts and returns its result.
func runOne(t *testing.T, spec string, opts ...Option) Result {
	t.Helper()
	s, err := Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	rs, err := Run(context.Background(), []Service{s}, opts...)
	if err != nil {
		t.Fatalf("Run(%q): %v", spec, err)
	}
	if len(rs) != 1 || rs[0].Spec != spec {
		t.Fatalf("Run(%q) = %+v, want one result for it", spec, rs)
	}
	return rs[0]
}

// checkResult fails t unless r is as wanted: OK or not, with want in its
// detail.
func checkResult(t *testing.T, r Result, ok bool, want string) {
	t.Helper()
	if r.OK != ok || !strings.Contains(r.Detail, want) {
		t.Errorf("result %q: want ok=%v and a detail with %q", r, ok, want)
	}
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// serveTCP serves handle on a loopback port until the test ends, each
// connection under a 5s deadline and closed after it, and returns the port.
func serveTCP(t *testing.T, handle func(net.Conn)) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				handle(c)
			}()
		}
	}()
	return portOf(t, l.Addr().String())
}

// portOf returns the port of a listener's address such as "127.0.0.1:1234".
func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec, err string
	}{
		{"jupyter:8888", ""},
		{"jupyter:8888:python3,ir", ""},
		{"vnc:5900", ""},
		{"novnc:6080", ""},
		{"sshd:2222:user:/tmp/k/id_ed25519", ""},
		{"sshd:2222:user:/odd:path/key", ""},
		{"process:openbox,lxpanel", ""},
		{"process:xfwm4", ""},
		{"jupyter", `port "" is not a number`},
		{"jupyter:http", `port "http" is not a number`},
		{"jupyter:70000", `port "70000" is not a number from 1 to 65535`},
		{"jupyter:8888:python3,", `empty kernel`},
		{"jupyter:8888:a:b", "want jupyter:PORT"},
		{"vnc:5900:x", "want vnc:PORT"},
		{"novnc:0", `port "0"`},
		{"sshd:2222:user", "want sshd:PORT:USER:KEYFILE"},
		{"sshd:2222::key", "want sshd:PORT:USER:KEYFILE"},
		{"process:", "empty process name"},
		{"process:a,,b", "empty process name"},
		{"http:80", `unknown kind "http"`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := Parse(tc.spec)
			if tc.err == "" {
				if err != nil || s.prove == nil || s.Spec != tc.spec {
					t.Fatalf("Parse(%q) = %+v, %v; want a service", tc.spec, s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), strconv.Quote(tc.spec)) {
				t.Fatalf("Parse(%q) error %v, want one quoting the spec and saying %q", tc.spec, err, tc.err)
			}
		})
	}
}

func TestResultString(t *testing.T) {
	for _, tc := range []struct {
		r    Result
		want string
	}{
		{Result{Spec: "vnc:5900", OK: true, Detail: "fine", Ready: 1234 * time.Millisecond}, "ok vnc:5900: fine (ready after 1.2s)"},
		{Result{Spec: "vnc:5900", Detail: "broken", Ready: time.Second}, "FAIL vnc:5900: broken"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestRunWaitsForALateService(t *testing.T) {
	port := freePort(t)
	srv := &http.Server{Handler: jupyterHandler(jupyterServer{token: "tok", kernels: []string{"python3"}})}
	defer srv.Close()
	go func() {
		time.Sleep(400 * time.Millisecond)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Error(err)
			return
		}
		srv.Serve(l)
	}()
	r := runOne(t, "jupyter:"+strconv.Itoa(port), fast(10*time.Second, WithJupyterToken("tok"))...)
	checkResult(t, r, true, "kernels: python3")
	if r.Ready < 400*time.Millisecond {
		t.Errorf("ready after %s, before the server listened", r.Ready)
	}
}

func TestRunGivesUpAtTheTimeout(t *testing.T) {
	port := strconv.Itoa(freePort(t))
	specs := []string{"jupyter:" + port, "vnc:" + port, "novnc:" + port}
	var services []Service
	for _, s := range specs {
		svc, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		services = append(services, svc)
	}
	start := time.Now()
	rs, err := Run(context.Background(), services, fast(500*time.Millisecond, WithJupyterToken("t"), WithVNCPassword("p"))...)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 500*time.Millisecond || d > 5*time.Second {
		t.Errorf("Run took %s with a 500ms timeout", d)
	}
	for i, r := range rs {
		if r.Spec != specs[i] {
			t.Errorf("result %d is for %q, want %q (results in the order given)", i, r.Spec, specs[i])
		}
		checkResult(t, r, false, "connection refused")
		checkResult(t, r, false, "not ready after")
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	for _, o := range []Option{WithTimeout(0), WithAttemptTimeout(-1), WithInterval(-1), WithHost("")} {
		if _, err := Run(context.Background(), nil, o); err == nil {
			t.Errorf("Run with a bad option gave no error")
		}
	}
}

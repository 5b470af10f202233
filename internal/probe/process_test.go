package probe

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestProcessRealChild(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("no sleep binary to copy: %v", err)
	}
	b, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("wsbp-%d", os.Getpid()%100000)
	bin := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()

	r := runOne(t, "process:"+name, fast(2*time.Second)...)
	checkResult(t, r, true, fmt.Sprintf("running: %s (pid %d)", name, cmd.Process.Pid))

	r = runOne(t, "process:"+name+",wsbp-no-such-process", fast(300*time.Millisecond)...)
	checkResult(t, r, false, "not running: wsbp-no-such-process")

	cmd.Process.Kill()
	cmd.Wait()
	r = runOne(t, "process:"+name, fast(300*time.Millisecond)...)
	checkResult(t, r, false, "not running: "+name)
}

func TestProcessNames(t *testing.T) {
	// A fake /proc: comm is what the kernel keeps (at most 15 bytes),
	// cmdline's argv[0] may be a path.
	proc := t.TempDir()
	for pid, p := range map[string]struct{ comm, cmdline string }{
		"10":   {"openbox\n", "/usr/bin/openbox\x00--config-file\x00x\x00"},
		"11":   {"lxpanel\n", "lxpanel\x00--profile\x00LXDE\x00"},
		"12":   {"xfce4-power-man\n", "/usr/bin/xfce4-power-manager\x00"},
		"13":   {"python3\n", "/opt/venv/bin/python3\x00/opt/venv/bin/jupyter-lab\x00"},
		"14":   {"zombie\n", ""},
		"self": {"ignored\n", "ignored\x00"},
	} {
		dir := filepath.Join(proc, pid)
		os.Mkdir(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "comm"), []byte(p.comm), 0o644)
		os.WriteFile(filepath.Join(dir, "cmdline"), []byte(p.cmdline), 0o644)
	}
	for _, tc := range []struct {
		names string
		ok    bool
		want  string
	}{
		{"openbox,lxpanel", true, "running: openbox (pid 10), lxpanel (pid 11)"},
		{"xfce4-power-manager", true, "xfce4-power-manager (pid 12)"},
		{"xfce4-power-man", true, "(pid 12)"},
		{"python3", true, "python3 (pid 13)"},
		{"zombie", true, "zombie (pid 14)"},
		{"jupyter-lab", false, "not running: jupyter-lab"},
		{"ignored", false, "not running: ignored"},
		{"xfwm4,openbox,xfce4-panel", false, "not running: xfwm4, xfce4-panel"},
	} {
		t.Run(tc.names, func(t *testing.T) {
			r := runOne(t, "process:"+tc.names, fast(100*time.Millisecond, WithProcDir(proc))...)
			checkResult(t, r, tc.ok, tc.want)
		})
	}
	r := runOne(t, "process:x", fast(100*time.Millisecond, WithProcDir(filepath.Join(proc, "missing")))...)
	checkResult(t, r, false, "listing processes in")
}

package probe

import (
	"fmt"
	"time"
)

// An Option changes how Run proves services.
type Option func(*options) error

type options struct {
	host         string
	timeout      time.Duration
	attempt      time.Duration
	interval     time.Duration
	jupyterToken string
	vncPassword  string
	procDir      string
}

func defaults() *options {
	return &options{
		host:     "127.0.0.1",
		timeout:  120 * time.Second,
		attempt:  15 * time.Second,
		interval: 500 * time.Millisecond,
		procDir:  "/proc",
	}
}

// WithHost sets the address the services are reached on; the default is
// 127.0.0.1.
func WithHost(host string) Option {
	return func(o *options) error {
		if host == "" {
			return fmt.Errorf("host is empty")
		}
		o.host = host
		return nil
	}
}

// WithTimeout sets how long services get to answer, counted from the start
// of Run; the default is 120s.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("timeout %s is not positive", d)
		}
		o.timeout = d
		return nil
	}
}

// WithAttemptTimeout bounds one attempt at a service, so that a connection
// that hangs is retried; the default is 15s.
func WithAttemptTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("attempt timeout %s is not positive", d)
		}
		o.attempt = d
		return nil
	}
}

// WithInterval sets the pause between attempts; the default is 500ms.
func WithInterval(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("interval %s is negative", d)
		}
		o.interval = d
		return nil
	}
}

// WithJupyterToken sets the token Jupyter must accept ($JUPYTER_TOKEN in
// the binary); the default is none, and a jupyter service then fails.
func WithJupyterToken(token string) Option {
	return func(o *options) error { o.jupyterToken = token; return nil }
}

// WithVNCPassword sets the password the VNC server must accept
// ($VNC_PASSWORD in the binary); the default is none, and a vnc service then
// fails.
func WithVNCPassword(password string) Option {
	return func(o *options) error { o.vncPassword = password; return nil }
}

// WithProcDir sets where processes are looked up; the default is /proc.
func WithProcDir(dir string) Option {
	return func(o *options) error { o.procDir = dir; return nil }
}

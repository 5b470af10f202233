package rig

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// ByteProxy passes every connection made to it on to a target address and
// counts the bytes that go each way: tests put it between wsbuild and
// buildkitd to measure what a build moves across that link.
type ByteProxy struct {
	ln       net.Listener
	network  string
	target   string
	sent     atomic.Int64 // client to target
	received atomic.Int64 // target to client
	wg       sync.WaitGroup
}

// ByteProxyForTest listens on network ("unix": a socket in t.TempDir();
// "tcp": a free loopback port) and forwards to target (on the same
// network) until the test ends.
func ByteProxyForTest(t testing.TB, network, target string) *ByteProxy {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = t.TempDir() + "/proxy.sock"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatalf("starting the byte-counting proxy: %v", err)
	}
	p := &ByteProxy{ln: ln, network: network, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
	})
	return p
}

// Addr is the proxy's address as buildctl names it: unix:///path or
// tcp://host:port.
func (p *ByteProxy) Addr() string { return p.network + "://" + p.ln.Addr().String() }

// Sent and Received are the bytes moved so far towards the target and back.
func (p *ByteProxy) Sent() int64     { return p.sent.Load() }
func (p *ByteProxy) Received() int64 { return p.received.Load() }

func (p *ByteProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.pipe(c)
		}()
	}
}

// pipe copies c to a new connection to the target and back until either
// side closes.
func (p *ByteProxy) pipe(c net.Conn) {
	defer c.Close()
	t, err := net.Dial(p.network, p.target)
	if err != nil {
		return
	}
	defer t.Close()
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn, n *atomic.Int64) {
		_, _ = io.Copy(countingWriter{dst, n}, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		done <- struct{}{}
	}
	go cp(t, c, &p.sent)
	go cp(c, t, &p.received)
	<-done
	<-done
}

// countingWriter adds what it writes to n as it goes.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	w, err := c.w.Write(b)
	c.n.Add(int64(w))
	return w, err
}

package rig

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// TCPProxy forwards TCP connections from a port of 127.0.0.1 to a target
// and counts the bytes that move each way, to measure what a client and a
// remote buildkitd exchange. It passes TLS through untouched.
type TCPProxy struct {
	// Addr is the proxy's address, "127.0.0.1:PORT".
	Addr string

	target   string
	l        net.Listener
	up, down atomic.Int64 // client to target, target to client
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

// StartTCPProxy listens on a free port of 127.0.0.1 and forwards every
// connection to target ("host:port"). Close it when done.
func StartTCPProxy(target string) (*TCPProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the proxy to %q: %w", target, err)
	}
	p := &TCPProxy{Addr: l.Addr().String(), target: target, l: l}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Bytes returns the bytes moved so far: up from clients to the target, and
// down from the target to clients.
func (p *TCPProxy) Bytes() (up, down int64) { return p.up.Load(), p.down.Load() }

// Reset sets both counts back to zero.
func (p *TCPProxy) Reset() { p.up.Store(0); p.down.Store(0) }

// Close stops listening, closes every connection and waits for them.
func (p *TCPProxy) Close() error {
	err := p.l.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *TCPProxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.l.Accept()
		if err != nil {
			return // closed
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(out, in, &p.up)
		go p.pipe(in, out, &p.down)
	}
}

// pipe copies from src to dst, counting into n, then closes dst's writing
// side so the other end sees the end of the stream.
func (p *TCPProxy) pipe(dst, src net.Conn, n *atomic.Int64) {
	defer p.wg.Done()
	_, err := io.Copy(countingWriter{dst, n}, src)
	if cw, ok := dst.(*net.TCPConn); ok && (err == nil || errors.Is(err, net.ErrClosed)) {
		_ = cw.CloseWrite()
	} else {
		_ = dst.Close()
	}
}

// countingWriter adds what it writes to n.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	k, err := c.w.Write(b)
	c.n.Add(int64(k))
	return k, err
}

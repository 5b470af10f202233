package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// websocketGUID is RFC 6455's key suffix for Sec-WebSocket-Accept.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// proveNoVNC checks that noVNC's page is served and that a websocket on
// /websockify is relayed to the VNC server, whose RFB greeting arrives in
// binary frames.
func proveNoVNC(ctx context.Context, o *options, port int) (string, error) {
	addr := net.JoinHostPort(o.host, strconv.Itoa(port))
	c := httpClient()
	var page string
	var tried []string
	for _, p := range []string{"/vnc.html", "/"} {
		code, body, err := get(ctx, c, "http://"+addr+p, "")
		if err != nil {
			return "", err
		}
		if code == http.StatusOK && bytes.Contains(bytes.ToLower(body), []byte("novnc")) {
			page = p
			break
		}
		tried = append(tried, fmt.Sprintf("%s answered %d", p, code))
	}
	if page == "" {
		return "", fmt.Errorf("no noVNC page: %v", tried)
	}
	var greeting string
	err := withConn(ctx, addr, func(conn net.Conn) error {
		var err error
		greeting, err = websocketGreeting(conn, addr)
		return err
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s is noVNC's page, /websockify upgrades (101) and relays %q", page, greeting), nil
}

// websocketGreeting upgrades conn to a websocket on /websockify (binary
// subprotocol) and reads binary frames until the 12 bytes of an RFB
// greeting have arrived.
func websocketGreeting(conn net.Conn, addr string) (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("making a websocket key: %w", err)
	}
	key := base64.StdEncoding.EncodeToString(nonce[:])
	fmt.Fprintf(conn, "GET /websockify HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n"+
		"Origin: http://%s\r\n\r\n", addr, key, addr)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return "", fmt.Errorf("reading the websocket upgrade response: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return "", fmt.Errorf("websocket upgrade on /websockify answered %s, want 101", resp.Status)
	}
	if want := websocketAccept(key); resp.Header.Get("Sec-WebSocket-Accept") != want {
		return "", fatalf("websocket upgrade: Sec-WebSocket-Accept %q, want %q", resp.Header.Get("Sec-WebSocket-Accept"), want)
	}
	var got []byte
	for len(got) < 12 {
		op, payload, err := readFrame(br)
		if err != nil {
			return "", fmt.Errorf("reading a websocket frame (have %q): %w", got, err)
		}
		switch op {
		case 0x2, 0x0: // binary, continuation
			got = append(got, payload...)
		case 0x8:
			return "", fmt.Errorf("websocket closed by the server before the RFB greeting (have %q, close payload %q)", got, payload)
		case 0x9, 0xA: // ping, pong
		default:
			return "", fmt.Errorf("websocket frame of opcode %d, want binary frames with the RFB greeting", op)
		}
	}
	if !bytes.HasPrefix(got, []byte("RFB 00")) {
		return "", fatalf("the first websocket bytes are %q, not an RFB greeting", got)
	}
	// Close politely; the server may already be gone.
	conn.Write(maskedFrame(0x8, []byte{0x03, 0xe8}))
	return string(bytes.TrimSpace(got[:12])), nil
}

// websocketAccept is the Sec-WebSocket-Accept a server answers key with.
func websocketAccept(key string) string {
	sum := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// readFrame reads one server-to-client websocket frame (RFC 6455, 5.2).
func readFrame(r io.Reader) (byte, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	op := h[0] & 0x0f
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l uint16
		if err := binary.Read(r, binary.BigEndian, &l); err != nil {
			return 0, nil, err
		}
		n = uint64(l)
	case 127:
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return 0, nil, err
		}
	}
	if n > 1<<20 {
		return 0, nil, fmt.Errorf("websocket frame of %d bytes", n)
	}
	var mask [4]byte
	masked := h[1]&0x80 != 0
	if masked {
		if _, err := io.ReadFull(r, mask[:]); err != nil {
			return 0, nil, err
		}
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	if masked {
		for i := range p {
			p[i] ^= mask[i%4]
		}
	}
	return op, p, nil
}

// maskedFrame is a final client-to-server frame with a zero mask, which
// leaves the payload as it is (payloads under 126 bytes only).
func maskedFrame(op byte, payload []byte) []byte {
	return append([]byte{0x80 | op, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
}
